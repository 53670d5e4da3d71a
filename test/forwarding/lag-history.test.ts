import { describe, expect, it } from 'vitest';
import { combinedLagPoints, LAG_SLOT_SECONDS, LAG_SLOTS, withLagSample } from '#shared/forwarding/lag-history';
import { platformCluster, platformProject, eventually } from '../support/platform';
import { activeIntegration, enableForwarding, writeAuditLog } from './support';

const T0 = Date.parse('2026-11-24T12:00:00Z');
const minutes = (count: number) => count * 60_000;

describe('lag history', () => {
  it('keeps the largest lag of each 10-minute slot, with gaps for slots without a run', () => {
    let history = withLagSample(undefined, 30, T0);
    history = withLagSample(history, 90, T0 + minutes(5));
    history = withLagSample(history, 10, T0 + minutes(9));
    history = withLagSample(history, 0, T0 + minutes(25));
    expect(history).toEqual({ from: T0 / 1000, lags: [90, null, 0] });
    expect(withLagSample(history, undefined, T0 + minutes(30))).toBe(history);
  });

  it('keeps one day: older slots drop out as new ones arrive', () => {
    let history = withLagSample(undefined, 1, T0);
    history = withLagSample(history, 2, T0 + (LAG_SLOTS + 4) * LAG_SLOT_SECONDS * 1000);
    expect(history?.lags).toHaveLength(LAG_SLOTS);
    expect(history?.from).toBe(T0 / 1000 + 5 * LAG_SLOT_SECONDS);
    expect(history?.lags.at(-1)).toBe(2);
  });

  it('combines clusters into the worst lag per slot, oldest first, without slots older than a day', () => {
    const a = { from: T0 / 1000, lags: [5, null, 7] };
    const b = { from: T0 / 1000 + LAG_SLOT_SECONDS, lags: [50, 1] };
    expect(combinedLagPoints([a, b, undefined], T0 + minutes(25))).toEqual({
      slotSeconds: LAG_SLOT_SECONDS,
      points: [
        { at: '2026-11-24T12:00:00.000Z', lagSeconds: 5 },
        { at: '2026-11-24T12:10:00.000Z', lagSeconds: 50 },
        { at: '2026-11-24T12:20:00.000Z', lagSeconds: 7 },
      ],
    });
    expect(combinedLagPoints([a], T0 + LAG_SLOTS * LAG_SLOT_SECONDS * 1000).points).toEqual([{ at: '2026-11-24T12:20:00.000Z', lagSeconds: 7 }]);
  });

  it('is recorded by forwarding runs and served per integration to its readers', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const { integrationId } = customer.integration;
    const path = `${project.base}/${integrationId}/lag-history`;
    expect((await project.client.get(path)).json).toEqual({ slotSeconds: LAG_SLOT_SECONDS, points: [] });

    await enableForwarding(project, clusterId, integrationId, 'lag');
    await writeAuditLog(clusterId, new Date(Date.now() - 120_000));
    const points = await eventually(async () => {
      const answer = (await project.client.get(path)).json as { points: Array<{ at: string; lagSeconds: number }> };
      return answer.points.length > 0 ? answer.points : undefined;
    }, 'no lag sample was recorded', 30_000);
    expect(points).toHaveLength(1);
    expect(Date.parse(points[0]?.at ?? '')).toBeLessThanOrEqual(Date.now());
    expect(points[0]?.lagSeconds).toBeGreaterThanOrEqual(0);
    expect((await project.client.get(`${project.base}/integ-aaaaaaaaaaaaaaaaaaaa/lag-history`)).status).toBe(404);
  });
});
