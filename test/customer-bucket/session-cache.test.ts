/**
 * The per-container session cache: bounded (least recently used out first), never older than the
 * credentials it holds, never caching a failure, one AssumeRole for concurrent users of a session.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionCache } from '#shared/customer-bucket/session-cache';

const HOUR = 3_600_000;
const RENEW = 5 * 60_000;

function fakeStsClock() {
  let now = 1_000_000;
  let issued = 0;
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    get issued() {
      return issued;
    },
    assume: async () => ({
      accessKeyId: `ASIA${(issued += 1)}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(now + HOUR),
    }),
  };
}

afterEach(() => vi.useRealTimers());

describe('SessionCache', () => {
  it('holds at most its bound, dropping the least recently used session first', async () => {
    const sts = fakeStsClock();
    const cache = new SessionCache(3, RENEW, sts.now);
    for (const key of ['a', 'b', 'c']) await cache.get(key, sts.assume);
    await cache.get('a', sts.assume); // a is now the most recently used
    await cache.get('d', sts.assume);
    expect(cache.size).toBe(3);
    await cache.get('a', sts.assume);
    expect(sts.issued).toBe(4);
    await cache.get('b', sts.assume); // b was dropped: assumed again
    expect(sts.issued).toBe(5);
  });

  it('drops a session before its credentials expire, used or not, and assumes the role again', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    let issued = 0;
    const assume = async () => ({
      accessKeyId: `ASIA${(issued += 1)}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(Date.now() + HOUR),
    });
    const cache = new SessionCache(10, RENEW, () => Date.now());
    const first = await cache.get('a', assume);
    vi.advanceTimersByTime(HOUR - RENEW - 1);
    expect(await cache.get('a', assume)).toBe(first);
    vi.advanceTimersByTime(2);
    expect(cache.size).toBe(0);
    expect((await cache.get('a', assume)).accessKeyId).toBe('ASIA2');
  });

  it('never caches a failed AssumeRole, and shares one call between concurrent users', async () => {
    const sts = fakeStsClock();
    const cache = new SessionCache(10, RENEW, sts.now);
    await expect(cache.get('a', () => Promise.reject(new Error('AccessDenied')))).rejects.toThrow('AccessDenied');
    expect(cache.size).toBe(0);
    const assume = vi.fn(sts.assume);
    const [one, two] = await Promise.all([cache.get('a', assume), cache.get('a', assume)]);
    expect(one).toBe(two);
    expect(assume).toHaveBeenCalledTimes(1);
  });
});
