/**
 * Deletes a data subject's key (`user:<id>`): every event field sealed with it reads as its
 * placeholder from then on. The protected event store is the one implementation; it is a
 * class so that Nest can inject it by type.
 */
export abstract class KeyEraser {
  abstract erase(subject: string): Promise<boolean>;
}
