/**
 * The export worker's memory bound, next to its time bound (time-budget.ts): the copy engine
 * (copy-engine.ts) counts every copy unit's bytes against one ByteBudget (48 MiB unless told
 * otherwise), so an invocation's copies hold no more than that, whatever the backup holds.
 */

/**
 * Bounds the bytes held in memory by copies in flight. Each copy unit reserves its size before it
 * reads and releases it when written, so memory stays below the budget however many files and
 * parts are waiting. A unit larger than the whole budget waits until it can have all of it.
 */
export class ByteBudget {
  private available: number;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(private readonly capacity: number) {
    this.available = capacity;
  }

  async reserve(bytes: number): Promise<() => void> {
    const amount = Math.min(Math.max(bytes, 1), this.capacity);
    if (this.waiting.length === 0 && amount <= this.available) {
      this.available -= amount;
    } else {
      // First come, first served: a large part is not starved by a stream of small files.
      await new Promise<void>((grant) => this.waiting.push({ bytes: amount, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += amount;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    for (let next = this.waiting[0]; next && next.bytes <= this.available; next = this.waiting[0]) {
      this.waiting.shift();
      this.available -= next.bytes;
      next.grant();
    }
  }
}
