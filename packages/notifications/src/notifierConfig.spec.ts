import { ConfigError, NotifierConfig, loadConfig } from './notifierConfig';

describe('NotifierConfig', () => {
  it('has defaults that run the embedded sandbox', () => {
    const config = loadConfig(NotifierConfig, {});
    expect(config).toMatchObject({
      NODE_ID: 63,
      NOTIFICATION_FROM: 'notifications@missive.invalid',
      NOTIFICATION_FROM_NAME: 'Missive',
      SMTP_URL: undefined,
      BOUNCE_THRESHOLD: 1,
      DELIVERY_RETRY_BASE_MS: 60_000,
      DELIVERY_LEASE_MS: 300_000,
      DELIVERY_POLL_INTERVAL_MS: 1000,
      DELIVERY_CONCURRENCY: 16,
    });
  });

  it('reads the environment', () => {
    const config = loadConfig(NotifierConfig, {
      SMTP_URL: 'smtp://mailpit:1025',
      NOTIFICATION_FROM: 'canvas@school.example',
      BOUNCE_THRESHOLD: '3',
      CONFIRMATION_SECRET: 'c'.repeat(32),
    });
    expect(config).toMatchObject({
      SMTP_URL: 'smtp://mailpit:1025',
      NOTIFICATION_FROM: 'canvas@school.example',
      BOUNCE_THRESHOLD: 3,
      CONFIRMATION_SECRET: 'c'.repeat(32),
    });
  });

  it('stops on a bad value with a line naming the variable', () => {
    expect(() => loadConfig(NotifierConfig, { SMTP_URL: 'mailpit:1025' })).toThrow(
      /^invalid configuration: SMTP_URL="mailpit:1025" must be smtp:\/\/host:port/,
    );
    expect(() => loadConfig(NotifierConfig, { DELIVERY_LEASE_MS: '10' })).toThrow(ConfigError);
    expect(() => loadConfig(NotifierConfig, { NOTIFICATION_FROM: 'nobody' })).toThrow(
      /NOTIFICATION_FROM/,
    );
  });
});
