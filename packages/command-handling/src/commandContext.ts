import { randomUUID } from 'node:crypto';

/** Who asked and which request this is: copied into the metadata of every event written. */
export interface CommandContext {
  readonly actorUserId: string | null;
  readonly correlationId: string;
  readonly causationId: string;
}

export function systemContext(reason: string): CommandContext {
  const id = randomUUID();
  return { actorUserId: null, correlationId: id, causationId: `system:${reason}` };
}
