import { createTransportRegistry } from './transportRegistry';

describe('createTransportRegistry', () => {
  it('sends email to the sandbox and Comms channels to the Comms sandbox by default', () => {
    const registry = createTransportRegistry({ dataDir: '/tmp/missive-registry' });
    expect(registry.for('email')?.name).toBe('sandbox');
    expect(registry.for('phone')?.name).toBe('comms-sandbox');
    expect(registry.for('whatsapp')).toBe(registry.for('phone'));
    expect(registry.for('sms')).toBeUndefined();
    expect(registry.for('push')).toBeUndefined();
  });

  it('uses the SMTP relay and the HTTP provider when configured', () => {
    const registry = createTransportRegistry({
      dataDir: '/tmp/missive-registry',
      smtpUrl: 'smtp://127.0.0.1:2525',
      commsProvider: { url: 'http://provider.invalid/messages' },
    });
    expect(registry.for('email')?.name).toBe('smtp');
    expect(registry.for('phone')?.name).toBe('http-provider');
    expect(registry.for('whatsapp')).toBe(registry.for('phone'));
  });
});
