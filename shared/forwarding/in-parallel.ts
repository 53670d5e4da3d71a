/**
 * Runs `work` for every item with at most `limit` in flight, and waits for all of them. Used where
 * a tick touches many independent things (queue batches, integrations) and must bound its load.
 */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
