/** Injection tokens for the ports the application layer depends on. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_DB = Symbol('READ_DB');
export const APP_CONFIG = Symbol('APP_CONFIG');
/** `(projection) => void`: nudges an in-process projector after an append (no-op otherwise). */
export const PROJECTION_WAKER = Symbol('PROJECTION_WAKER');
