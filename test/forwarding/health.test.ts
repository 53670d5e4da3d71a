/**
 * The decisions of forwarding that need no stack: a cluster's health after deliveries and
 * failures (and when a save is worth its write), the integration's roll-up, what a scheduler tick
 * asks of each cluster, which digest hours are due, and that a digest's bytes do not depend on the
 * order of the ledger.
 */
import { describe, expect, it } from 'vitest';
import { ClusterHealth, SAVE_INTERVAL_MS } from '#shared/forwarding/delivery/cluster-health';
import { digestOf, serializeDigest } from '#shared/forwarding/digests/digest-document';
import { DIGEST_GRACE_MS, dueDigestHours } from '#shared/forwarding/digests/write-digests';
import { combineHealth } from '#shared/forwarding/health-rollup';
import { plannedRuns, RECONCILE_EVERY_MINUTES } from '#shared/forwarding/schedule-runs';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const HOUR = 3_600_000;
const forwarding = (health = { consecutiveFailures: 0 }) => ({
  projectId: 'p',
  clusterId: 'c-1',
  integrationId: 'i-1',
  generation: 'g',
  health,
});

describe('a cluster health', () => {
  it(
    'counts failures in a row, ' + 'and resets the count (keeping the error) with the next delivery and its latency',
    () => {
      const health = new ClusterHealth(forwarding({ consecutiveFailures: 2 } as never));
      health.failed({ code: 'DELIVERY_DELAYED', message: 'put object failed' }, NOW);
      health.pending(new Date(NOW - 90_000), NOW);
      expect(health.current).toEqual({
        consecutiveFailures: 3,
        lagSeconds: 90,
        lastError: { code: 'DELIVERY_DELAYED', message: 'put object failed', at: '2026-11-24T12:00:00.000Z' },
      });
      health.delivered([
        { landedAt: new Date(NOW - 2_000), confirmedAt: new Date(NOW - 500) },
        { landedAt: new Date(NOW - 1_000), confirmedAt: new Date(NOW) },
      ]);
      health.pending(undefined, NOW);
      expect(health.current).toMatchObject({
        consecutiveFailures: 0,
        lagSeconds: 0,
        lastDeliveryAt: '2026-11-24T12:00:00.000Z',
        deliveryLatencySeconds: 1,
        lastError: { code: 'DELIVERY_DELAYED' },
      });
    },
  );

  it('is saved after a change a reader notices, and otherwise at most once a minute', () => {
    const recent = { consecutiveFailures: 0, lastDeliveryAt: new Date(NOW - 10_000).toISOString(), lagSeconds: 0 };
    const quiet = new ClusterHealth(forwarding(recent));
    quiet.delivered([{ landedAt: new Date(NOW - 1000), confirmedAt: new Date(NOW) }]);
    quiet.pending(undefined, NOW);
    expect(quiet.worthSaving(NOW)).toBe(false);
    expect(quiet.worthSaving(NOW + SAVE_INTERVAL_MS)).toBe(true);
    const failing = new ClusterHealth(forwarding(recent));
    failing.failed({ code: 'DELIVERY_DELAYED', message: 'x' }, NOW);
    expect(failing.worthSaving(NOW)).toBe(true);
    const lagging = new ClusterHealth(forwarding(recent));
    lagging.pending(new Date(NOW - 5_000), NOW);
    expect(lagging.worthSaving(NOW)).toBe(true);
  });
});

describe('an integration health from its clusters', () => {
  it('shows the worst cluster: largest lag, latency and failure streak, newest delivery and error', () => {
    const combined = combineHealth({ consecutiveFailures: 0, lastDeliveryAt: '2026-11-24T10:00:00Z' }, [
      {
        clusterId: 'c-1',
        health: {
          consecutiveFailures: 0,
          lagSeconds: 0,
          deliveryLatencySeconds: 0.8,
          lastDeliveryAt: '2026-11-24T11:59:00Z',
        },
      },
      {
        clusterId: 'c-2',
        health: {
          consecutiveFailures: 4,
          lagSeconds: 420,
          deliveryLatencySeconds: 2.5,
          lastError: { code: 'DELIVERY_DELAYED', message: 'slow', at: '2026-11-24T11:58:00Z' },
        },
      },
      {
        clusterId: 'c-3',
        health: {
          consecutiveFailures: 1,
          lagSeconds: 60,
          lastError: { code: 'X', message: 'older', at: '2026-11-24T09:00:00Z' },
        },
      },
    ]);
    expect(combined).toEqual({
      consecutiveFailures: 4,
      lagSeconds: 420,
      deliveryLatencySeconds: 2.5,
      lastDeliveryAt: '2026-11-24T11:59:00Z',
      lastError: {
        code: 'DELIVERY_DELAYED',
        message: 'audit-log forwarding of cluster c-2: slow',
        at: '2026-11-24T11:58:00Z',
      },
    });
  });

  it('keeps the last delivery and error after the last forwarding is turned off', () => {
    const previous = {
      consecutiveFailures: 2,
      lagSeconds: 30,
      lastDeliveryAt: '2026-11-24T11:00:00Z',
      lastError: {
        code: 'DELIVERY_DELAYED',
        message: 'audit-log forwarding of cluster c-1: slow',
        at: '2026-11-24T11:30:00Z',
      },
    };
    expect(combineHealth(previous, [])).toEqual({
      consecutiveFailures: 0,
      lastDeliveryAt: previous.lastDeliveryAt,
      lastError: previous.lastError,
    });
  });
});

describe('a scheduler tick', () => {
  it(
    'sends a catch-up to a cluster with files pending every tick, ' +
      'a reconciliation to each other cluster once per period, ' +
      'a digest run once an hour',
    () => {
      const behind = { clusterId: 'c-behind', health: { consecutiveFailures: 0, lagSeconds: 30 } };
      const minutes = Array.from({ length: 60 }, (_, minute) => new Date(NOW + minute * 60_000));
      expect(minutes.every((tick) => plannedRuns(behind, tick).catchUp === 'pending')).toBe(true);
      const quiet = { clusterId: 'c-quiet', health: { consecutiveFailures: 0, lagSeconds: 0 } };
      expect(minutes.filter((tick) => plannedRuns(quiet, tick).catchUp === 'reconcile')).toHaveLength(
        60 / RECONCILE_EVERY_MINUTES,
      );
      expect(minutes.filter((tick) => plannedRuns(quiet, tick).digest)).toHaveLength(1);
      // Spread: a thousand clusters do not all reconcile in the same minute.
      const clusters = Array.from({ length: 1000 }, (_, index) => ({
        clusterId: `c-${index}`,
        health: { consecutiveFailures: 0 },
      }));
      const perMinute = minutes
        .slice(0, RECONCILE_EVERY_MINUTES)
        .map((tick) => clusters.filter((cluster) => plannedRuns(cluster, tick).catchUp).length);
      expect(Math.max(...perMinute)).toBeLessThan(120);
    },
  );
});

describe('digests', () => {
  it('are due for every hour of the chain that ended the grace ago, from the hour after the last one', () => {
    const from = '2026-11-24T09:20:00.000Z';
    expect(dueDigestHours({ from }, Date.parse('2026-11-24T10:04:00Z')).map((hour) => hour.toISOString())).toEqual([]);
    expect(
      dueDigestHours({ from }, Date.parse('2026-11-24T10:00:00Z') + DIGEST_GRACE_MS).map((hour) => hour.toISOString()),
    ).toEqual(['2026-11-24T09:00:00.000Z']);
    const last = { hour: '2026-11-24T09:00:00.000Z', key: 'k', sha256: 's' };
    expect(
      dueDigestHours({ from, last }, Date.parse('2026-11-24T12:30:00Z')).map((hour) => hour.toISOString()),
    ).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-24T11:00:00.000Z']);
  });

  it('have the same bytes whatever order the ledger answered in, each file once', () => {
    const files = [
      { key: 'd/c/audit/2026-11-24/10-00-02-b.log', size: 2, sha256: 'b'.repeat(64) },
      { key: 'd/c/audit/2026-11-24/10-00-01-a.log', size: 1, sha256: 'a'.repeat(64) },
    ];
    const input = {
      bucket: 'bkt',
      prefix: 'd/c/audit/',
      clusterId: 'c',
      hour: new Date(NOW - HOUR),
      previousDigest: null,
      keyArn: 'arn:aws:kms:us-east-1:111111111111:key/k',
    };
    const one = serializeDigest(digestOf({ ...input, files }));
    const other = serializeDigest(digestOf({ ...input, files: [files[1]!, files[0]!, files[1]!] }));
    expect(one.equals(other)).toBe(true);
    expect(JSON.parse(one.toString()).files.map((file: { key: string }) => file.key)).toEqual([
      files[1]?.key,
      files[0]?.key,
    ]);
  });
});
