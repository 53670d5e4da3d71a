import { describe, expect, it } from 'vitest';
import { healthAfterRun } from '#shared/forwarding/forward-cluster';
import { combineHealth } from '#shared/forwarding/health-rollup';
import type { DeliveryResult } from '#shared/forwarding/deliver-files';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const result = (overrides: Partial<DeliveryResult>): DeliveryResult => ({
  filesDelivered: 0,
  bytesDelivered: 0,
  lostLease: false,
  stoppedBetweenPages: false,
  ...overrides,
});

describe('a cluster health after a run', () => {
  it('counts failed runs in a row, and resets the count (keeping the error) after a good run', () => {
    const failed = healthAfterRun(
      { consecutiveFailures: 2, lastDeliveryAt: '2026-11-24T11:00:00Z' },
      result({
        problem: { kind: 'retry', code: 'DELIVERY_DELAYED', message: 'put object failed' },
        oldestPending: new Date(NOW - 90_000),
      }),
      NOW,
    );
    expect(failed).toEqual({
      consecutiveFailures: 3,
      lastDeliveryAt: '2026-11-24T11:00:00Z',
      lagSeconds: 90,
      lastError: { code: 'DELIVERY_DELAYED', message: 'put object failed', at: '2026-11-24T12:00:00.000Z' },
    });
    const recovered = healthAfterRun(
      failed,
      result({ filesDelivered: 4, lastDeliveryAt: '2026-11-24T11:59:59Z' }),
      NOW,
    );
    expect(recovered).toEqual({
      consecutiveFailures: 0,
      lastDeliveryAt: '2026-11-24T11:59:59Z',
      lagSeconds: 0,
      lastError: failed.lastError,
    });
  });

  it('keeps the previous lag when the run ran out of time before it saw the next file', () => {
    expect(
      healthAfterRun({ consecutiveFailures: 0, lagSeconds: 300 }, result({ stoppedBetweenPages: true }), NOW)
        .lagSeconds,
    ).toBe(300);
  });
});

describe('an integration health from its clusters', () => {
  it('shows the worst cluster: largest lag and failure streak, newest delivery and error', () => {
    const combined = combineHealth({ consecutiveFailures: 0, lastDeliveryAt: '2026-11-24T10:00:00Z' }, [
      { clusterId: 'c-1', health: { consecutiveFailures: 0, lagSeconds: 0, lastDeliveryAt: '2026-11-24T11:59:00Z' } },
      {
        clusterId: 'c-2',
        health: {
          consecutiveFailures: 4,
          lagSeconds: 420,
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
