/**
 * How long one invocation may work. Lambda stops a function at its timeout (at most 15 minutes);
 * an export must checkpoint and hand over before that:
 * - until the soft deadline the worker starts new copy work;
 * - between soft and hard deadline it only finishes what is in flight and checkpoints;
 * - at the hard deadline every request still in flight is aborted, so nothing this invocation
 *   started can still write after its lease lapses (the lease lasts until the Lambda deadline).
 */

const SOFT_MARGIN_MS = 120_000;
const HARD_MARGIN_MS = 30_000;
/** Clocks of two Lambda hosts may differ a little; a lease lasts this much past its deadline. */
const CLOCK_SKEW_MS = 5_000;

export class TimeBudget {
  readonly softDeadline: number;
  readonly hardDeadline: number;
  readonly leaseExpiresAt: number;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  /**
   * @param remainingMs what Lambda says is left (context.getRemainingTimeInMillis())
   * @param sliceCapSeconds EXPORT_SLICE_SECONDS: 0, or a shorter working time (tests, benchmarks)
   */
  constructor(remainingMs: number, sliceCapSeconds: number, now = Date.now()) {
    const deadline = now + remainingMs;
    // Short invocations (tests) keep proportional margins instead of the production minutes.
    this.hardDeadline = deadline - Math.min(HARD_MARGIN_MS, remainingMs * 0.1);
    const soft = deadline - Math.min(SOFT_MARGIN_MS, remainingMs * 0.4);
    this.softDeadline = sliceCapSeconds > 0 ? Math.min(soft, now + sliceCapSeconds * 1000) : soft;
    this.leaseExpiresAt = deadline + CLOCK_SKEW_MS;
    this.timer = setTimeout(
      () => this.controller.abort(new Error('export invocation reached its hard deadline')),
      this.hardDeadline - now,
    );
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops everything now (the lease is lost: nothing this invocation does may land any more). */
  abortNow(): void {
    this.controller.abort(new Error('export invocation lost its lease'));
  }

  mayStartWork(): boolean {
    return Date.now() < this.softDeadline && !this.signal.aborted;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
