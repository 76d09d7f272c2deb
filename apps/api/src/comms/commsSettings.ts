/** The Comms API's share of the configuration (AppConfig.comms; README lists the variables). */
export interface CommsSettings {
  /** Accepted Basic-auth pairs: the account id and auth token, and optionally an API key. */
  readonly credentials: ReadonlyArray<{ readonly username: string; readonly password: string }>;
  /** Origin for absolute URLs, without a trailing slash; undefined: the request's host. */
  readonly baseUrl: string | undefined;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly webhookToken: string | undefined;
  readonly defaultSenders: { readonly sms: string; readonly whatsapp: string };
}
