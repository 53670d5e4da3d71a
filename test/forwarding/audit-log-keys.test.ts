/**
 * The key layouts of audit-log forwarding, with no stack: platform keys, the customer's keys and digest keys,
 * their time order across boundaries, and the keys that must be refused.
 */
import { describe, expect, it } from 'vitest';
import {
  auditLogFolder,
  digestHourOf,
  digestKey,
  forwardedKey,
  hourLabel,
  isForwardedKey,
  parseSourceKey,
  sourceHourPrefix,
  sourceKey,
} from '#shared/forwarding/audit-log-keys';

describe('audit-log key layouts', () => {
  it('maps a platform key to the customer key layout of docs/product-contract.md §5', () => {
    const key = sourceKey('c-1', new Date('2026-11-24T10:15:02Z'), 'a1b2');
    expect(key).toBe('c-1/2026/11/24/10/20261124T101502Z-a1b2.jsonl');
    const file = parseSourceKey(key, 'c-1');
    expect(file).toEqual({ clusterId: 'c-1', writtenAt: new Date('2026-11-24T10:15:02Z'), id: 'a1b2' });
    expect(forwardedKey('logs/prod', file!)).toBe('logs/prod/c-1/audit/2026-11-24/10-15-02-a1b2.log');
    expect(forwardedKey('logs/prod', file!, 'gzip')).toBe('logs/prod/c-1/audit/2026-11-24/10-15-02-a1b2.log.gz');
    expect(auditLogFolder('logs/prod', 'c-1')).toBe('logs/prod/c-1/audit/');
    expect(sourceHourPrefix('c-1', new Date('2026-11-24T10:59:59Z'))).toBe('c-1/2026/11/24/10/');
    expect(hourLabel(Date.parse('2026-11-24T10:59:59Z'))).toBe('2026112410');
  });

  it('names the digest of each hour, and tells digests and delivered files from anything else', () => {
    const folder = 'logs/c-1/audit/';
    const key = digestKey(folder, new Date('2026-11-24T10:15:00Z'));
    expect(key).toBe('logs/c-1/audit/digests/2026-11-24/10.json');
    expect(digestHourOf(folder, key)).toEqual(new Date('2026-11-24T10:00:00Z'));
    for (const other of [
      'logs/c-1/audit/digests/2026-11-24/24.json',
      'logs/c-1/audit/digests/2026-11-24/10.json.bak',
      'logs/c-2/audit/digests/2026-11-24/10.json',
    ]) {
      expect(digestHourOf(folder, other), other).toBeUndefined();
    }
    expect(isForwardedKey(folder, 'logs/c-1/audit/2026-11-24/10-15-02-a1b2.log')).toBe(true);
    expect(isForwardedKey(folder, 'logs/c-1/audit/2026-11-24/10-15-02-a1b2.log.gz')).toBe(true);
    for (const other of [
      'logs/c-1/audit/2026-11-24/10-15-02-a1b2.txt',
      'logs/c-1/audit/../x/2026-11-24/10-15-02-a.log',
      'logs/c-1/audit/digests/2026-11-24/10.json',
      'other/2026-11-24/10-15-02-a.log',
    ]) {
      expect(isForwardedKey(folder, other), other).toBe(false);
    }
  });

  it('sorts keys in time order across second, hour, day and year boundaries', () => {
    const times = [
      '2026-12-31T23:59:59Z',
      '2027-01-01T00:00:00Z',
      '2026-12-31T22:59:59Z',
      '2026-12-31T23:00:00Z',
      '2026-01-09T09:09:09Z',
    ];
    const keys = times.map((time, index) => sourceKey('c-1', new Date(time), `id${index}`));
    const byKey = [...keys].sort();
    const byTime = [...keys].sort(
      (a, b) => parseSourceKey(a, 'c-1')!.writtenAt.getTime() - parseSourceKey(b, 'c-1')!.writtenAt.getTime(),
    );
    expect(byKey).toEqual(byTime);
  });

  it('refuses keys that could sort out of time order or belong elsewhere', () => {
    const refused = [
      'c-1/2026/11/24/11/20261124T101502Z-a.jsonl', // hour folder disagrees with the timestamp
      'c-1/2026/11/25/10/20261124T101502Z-a.jsonl', // day folder disagrees
      'c-1/2026/02/30/10/20260230T101502Z-a.jsonl', // no such day
      'c-1/2026/13/01/10/20261301T101502Z-a.jsonl', // no such month
      'c-1/2026/11/24/10/20261124T106002Z-a.jsonl', // minute 60
      'c-1/2026/11/24/10/20261124T101502-a.jsonl', // no Z
      'c-1/2026/11/24/10/20261124T101502Z-a.json', // not .jsonl
      'c-1/2026/11/24/10/20261124T101502Z-.jsonl', // no id
      'c-1/2026/11/24/10/20261124T101502Z-a/b.jsonl', // id with a slash
      'c-2/2026/11/24/10/20261124T101502Z-a.jsonl', // another cluster
      'c-1/2026/11/24/10/nested/20261124T101502Z-a.jsonl',
      'c-1/README',
    ];
    for (const key of refused) expect(parseSourceKey(key, 'c-1'), key).toBeUndefined();
  });
});
