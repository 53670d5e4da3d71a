/**
 * The one bounded-concurrency pool: never more than `limit` in flight, items taken only as lanes
 * free up (a lazy source is read no further than the work gets), and a stop that lets the work in
 * flight finish and says the items were not all taken.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { inParallel } from '#shared/worker/in-parallel';

describe('inParallel', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    const answer = await inParallel([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      most = Math.max(most, ++inFlight);
      await sleep(item % 3);
      inFlight -= 1;
      done.push(item);
    });
    expect(answer).toEqual({ complete: true });
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await inParallel([], 4, async () => undefined)).toEqual({ complete: true });
  });

  it('reads a lazy source only as far as the work gets, and stops taking items when told', async () => {
    const taken: number[] = [];
    async function* source() {
      for (let item = 0; item < 1_000; item += 1) {
        taken.push(item);
        yield item;
      }
    }
    const finished: number[] = [];
    const answer = await inParallel(
      source(),
      2,
      async (item) => {
        await sleep(1);
        finished.push(item);
      },
      { mayContinue: () => finished.length < 5 },
    );
    expect(answer).toEqual({ complete: false });
    // Every item taken was finished (work in flight is never dropped), and no more than two past the stop.
    expect(finished.sort((a, b) => a - b)).toEqual(taken);
    expect(taken.length).toBeLessThanOrEqual(6);
  });
});
