/**
 * Numeric ids without a central counter: milliseconds since 2025-01-01 (41 bits, ~69 years),
 * a node number (6 bits) and a per-millisecond sequence (6 bits). The result stays below
 * 2^53 so it survives JSON in every language. When a node issues more than 64 ids in one
 * millisecond it borrows the next millisecond, so ids stay unique and increasing.
 */
const EPOCH_MS = Date.UTC(2025, 0, 1);
const NODE_BITS = 6;
const SEQ_BITS = 6;
export const MAX_NODE_ID = (1 << NODE_BITS) - 1;

export class IdGenerator {
  private lastMs = 0;
  private seq = 0;

  constructor(
    private readonly nodeId: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > MAX_NODE_ID) {
      throw new RangeError(`node id must be an integer in 0..${MAX_NODE_ID}, got ${nodeId}`);
    }
  }

  next(): string {
    const ms = Math.max(this.now() - EPOCH_MS, this.lastMs);
    if (ms === this.lastMs) {
      this.seq += 1;
      if (this.seq >> SEQ_BITS) {
        this.lastMs += 1;
        this.seq = 0;
      }
    } else {
      this.lastMs = ms;
      this.seq = 0;
    }
    const id = this.lastMs * 2 ** (NODE_BITS + SEQ_BITS) + this.nodeId * 2 ** SEQ_BITS + this.seq;
    return String(id);
  }
}
