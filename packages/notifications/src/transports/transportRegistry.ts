import type { OutboundChannel } from '@missive/domain';
import { join } from 'node:path';
import { SandboxTransport } from './sandboxTransport';
import { CommsSandboxTransport } from './commsSandboxTransport';
import { HttpProviderTransport, type HttpProviderTransportOptions } from './httpProviderTransport';
import { SmtpTransport } from './smtpTransport';
import type { Transport } from './transport';

/** Which transport delivers each outbound channel; a channel without one cannot be sent. */
export class TransportRegistry {
  readonly #byChannel = new Map<OutboundChannel, Transport>();

  register(channel: OutboundChannel, transport: Transport): this {
    this.#byChannel.set(channel, transport);
    return this;
  }

  for(channel: OutboundChannel): Transport | undefined {
    return this.#byChannel.get(channel);
  }

  channels(): OutboundChannel[] {
    return [...this.#byChannel.keys()];
  }

  /** Closes each transport once, even when it serves several channels. */
  async close(): Promise<void> {
    const distinct = new Set(this.#byChannel.values());
    await Promise.allSettled([...distinct].map((t) => t.close?.()));
  }
}

export interface TransportSettings {
  /** SMTP relay for email; unset means the sandbox. */
  readonly smtpUrl?: string;
  /** The sandbox writes under `<dataDir>/sandbox`. */
  readonly dataDir: string;
  /**
   * Transports for the other channels, e.g. `{ phone, whatsapp }` from a Comms provider. They
   * are registered over the defaults, so one given for `email` replaces SMTP/sandbox too.
   * `sms` and `push` stay unregistered: Canvas sends conversation notifications by email only.
   */
  readonly extra?: Partial<Record<OutboundChannel, Transport>>;
  /** COMMS_PROVIDER_URL and friends: phone/WhatsApp go to this provider instead of the sandbox. */
  readonly commsProvider?: HttpProviderTransportOptions;
}

export function createTransportRegistry(settings: TransportSettings): TransportRegistry {
  const registry = new TransportRegistry();
  // PHONE and WHATSAPP (Comms sends): a provider when one is configured, else the sandbox.
  const comms = settings.commsProvider
    ? new HttpProviderTransport(settings.commsProvider)
    : new CommsSandboxTransport();
  registry.register('phone', comms);
  registry.register('whatsapp', comms);
  registry.register(
    'email',
    settings.smtpUrl
      ? new SmtpTransport(settings.smtpUrl)
      : new SandboxTransport(join(settings.dataDir, 'sandbox')),
  );
  for (const [channel, transport] of Object.entries(settings.extra ?? {})) {
    if (transport) registry.register(channel as OutboundChannel, transport);
  }
  return registry;
}
