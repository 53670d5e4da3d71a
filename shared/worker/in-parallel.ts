/**
 * The one bounded-concurrency pool (inParallel), used wherever a worker touches many independent
 * things and must bound its load (queue sends, health roll-ups, rechecks, an export's copies and
 * checks), so that each of them bounds it the same way.
 */

/** What may stop the pool taking items before they run out. */
export interface PoolOptions {
  mayContinue?: () => boolean;
}

/**
 * Runs `work` on the items with at most `limit` in flight, and waits for all of them.
 *
 * Items are taken one at a time, in order, only when a lane is free, so `items` may be a lazy
 * source (a generator, a paginated query) that is never read further than the work gets.
 * `mayContinue`, asked before each item is taken, stops taking more (a deadline, a failure):
 * the work in flight finishes, and the answer says the items were not all taken.
 */
export async function inParallel<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
  options: PoolOptions = {},
): Promise<{ complete: boolean }> {
  const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let complete = true;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (options.mayContinue && !options.mayContinue()) {
        complete = false;
        return;
      }
      const next = await source.next();
      if (next.done) return;
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  return { complete };
}
