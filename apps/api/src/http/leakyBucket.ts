/** The knobs of Canvas's request throttle (a leaky bucket per access token). */
export interface RateLimitSettings {
  /** The bucket reads full at this level; `X-Rate-Limit-Remaining` counts down to it. */
  readonly highWaterMark: number;
  /** The level never rises above this, so an abusive client recovers in maximum/outflow s. */
  readonly maximum: number;
  readonly outflowPerSec: number;
  /** Charged when a request starts and refunded when it ends: parallel requests pay it. */
  readonly upfrontCost: number;
}

/**
 * One client's bucket, after Canvas's request_throttle.rb. The high-water mark sits below the
 * maximum on purpose: were they equal, the leak between two requests would always leave a little
 * room and the bucket would never read full.
 */
export class LeakyBucket {
  private count = 0;
  private lastTouched: number | undefined;

  constructor(private readonly settings: RateLimitSettings) {}

  /** Leaks up to `nowSec`, then adds `amount` (negative to refund), within 0..maximum. */
  increment(amount: number, nowSec: number): void {
    // Canvas's Lua subtracts the leak and adds `amount` before clamping, so an idle spell can
    // swallow part of the next pre-flight cost; draining to zero first makes it count in full.
    const drained = this.levelAt(nowSec);
    this.count = Math.min(this.settings.maximum, Math.max(0, drained + amount));
    this.lastTouched = nowSec;
  }

  /** The level at `nowSec` had nothing been added since the last increment. */
  levelAt(nowSec: number): number {
    if (this.lastTouched === undefined) return this.count;
    const leaked = this.settings.outflowPerSec * Math.max(0, nowSec - this.lastTouched);
    return Math.max(0, this.count - leaked);
  }

  /** When this bucket was last incremented; undefined if never. */
  get touchedAt(): number | undefined {
    return this.lastTouched;
  }

  /** Judged on the level as of the last increment, as Canvas does right after reserving. */
  get full(): boolean {
    return this.count >= this.settings.highWaterMark;
  }

  get remaining(): number {
    return this.settings.highWaterMark - this.count;
  }
}
