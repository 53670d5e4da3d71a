/**
 * The worker's budgets, without the stack: the bytes held in memory at once (ByteBudget), the
 * deadlines of one invocation (TimeBudget) and the part size of a large file.
 */
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '#shared/exports/worker/byte-budget';
import { partSizeFor, SINGLE_PUT_MAX_BYTES } from '#shared/exports/part-layout';
import { TimeBudget } from '#shared/exports/worker/time-budget';

const MiB = 1024 * 1024;

describe('ByteBudget', () => {
  it('never lets reservations exceed the capacity, and serves waiters in order', async () => {
    const budget = new ByteBudget(10);
    const granted: string[] = [];
    const releaseA = await budget.reserve(6);
    const waitingB = budget.reserve(6).then((release) => (granted.push('b'), release));
    const waitingC = budget.reserve(1).then((release) => (granted.push('c'), release));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // C would fit, but B came first: no overtaking, so a big part is never starved by small files.
    expect(granted).toEqual([]);
    releaseA();
    const releaseB = await waitingB;
    const releaseC = await waitingC;
    expect(granted).toEqual(['b', 'c']);
    releaseB();
    releaseB(); // a second release is ignored
    releaseC();
    const all = await budget.reserve(10);
    all();
  });

  it('lets a unit larger than the whole budget through alone', async () => {
    const budget = new ByteBudget(10);
    const release = await budget.reserve(50);
    let second = false;
    const waiting = budget.reserve(1).then((next) => ((second = true), next));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second).toBe(false);
    release();
    (await waiting)();
  });
});

describe('TimeBudget', () => {
  it('keeps production margins on a 15-minute invocation', () => {
    const now = 1_000_000;
    const budget = new TimeBudget(900_000, 0, now);
    expect(budget.softDeadline).toBe(now + 900_000 - 120_000);
    expect(budget.hardDeadline).toBe(now + 900_000 - 30_000);
    expect(budget.leaseExpiresAt).toBe(now + 900_000 + 5_000);
    budget.dispose();
  });

  it('keeps proportional margins on a short invocation, and honours a slice cap', () => {
    const now = 1_000_000;
    const short = new TimeBudget(8_000, 0, now);
    expect(short.softDeadline).toBe(now + 4_800);
    expect(short.hardDeadline).toBe(now + 7_200);
    short.dispose();
    const capped = new TimeBudget(900_000, 2, now);
    expect(capped.softDeadline).toBe(now + 2_000);
    expect(capped.leaseExpiresAt).toBe(now + 905_000);
    capped.dispose();
  });

  it('aborts in-flight work at the hard deadline and stops new work at the soft one', async () => {
    const budget = new TimeBudget(300, 0);
    expect(budget.mayStartWork()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Soft deadline passed (at 180 ms), hard deadline (at 270 ms) not yet.
    expect(budget.mayStartWork()).toBe(false);
    expect(budget.signal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 90));
    expect(budget.signal.aborted).toBe(true);
    budget.dispose();
  });
});

describe('part sizes', () => {
  it('uses 8 MiB parts, larger only when a file would need more than 4,000 parts', () => {
    expect(SINGLE_PUT_MAX_BYTES).toBe(8 * MiB);
    expect(partSizeFor(100 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(4000 * 8 * MiB)).toBe(8 * MiB);
    const huge = 100 * 1024 * MiB;
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(4000);
    // S3's own limits: at most 10,000 parts of at most 5 GiB.
    expect(partSizeFor(5 * 1024 * 1024 * MiB)).toBeLessThanOrEqual(5 * 1024 * MiB);
  });
});
