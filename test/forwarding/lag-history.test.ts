/**
 * The forwarding lag history: the slot in progress and its hand-over, the worst lag per slot across clusters,
 * the one-day ring in the table, and the history that runs record and an integration's readers get.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import {
  combinedLagPoints,
  LAG_SLOT_SECONDS,
  LAG_SLOTS,
  nextLagSlot,
  recordLag,
  ringSlots,
} from '#shared/forwarding/lag-history';
import { keys } from '#shared/table/keys';
import { platformCluster, platformProject, eventually } from '../support/platform';
import { activeIntegration, enableForwarding, writeAuditLog } from './support';

const T0 = Date.parse('2026-11-24T12:00:00Z');
const minutes = (count: number) => count * 60_000;
const at = (ms: number) => ms / 1000;

describe('lag history', () => {
  it('keeps the largest lag of the slot in progress, and hands over the finished slot when a new one opens', () => {
    const first = nextLagSlot(undefined, 30, T0);
    expect(first).toEqual({ slot: { start: at(T0), max: 30 } });
    const larger = nextLagSlot(first.slot, 90, T0 + minutes(5));
    expect(larger).toEqual({ slot: { start: at(T0), max: 90 } });
    expect(nextLagSlot(larger.slot, 10, T0 + minutes(9)).slot).toEqual({ start: at(T0), max: 90 });
    expect(nextLagSlot(larger.slot, 0, T0 + minutes(25))).toEqual({
      slot: { start: at(T0) + 2 * LAG_SLOT_SECONDS, max: 0 },
      finished: { start: at(T0), max: 90 },
    });
    // No measurement, or a clock behind the slot: nothing changes.
    expect(nextLagSlot(larger.slot, undefined, T0 + minutes(30))).toEqual({ slot: larger.slot });
    expect(nextLagSlot(larger.slot, 500, T0 - minutes(30))).toEqual({ slot: larger.slot });
  });

  it('combines clusters into the worst lag per slot, oldest first, without slots older than a day', () => {
    const slots = [
      { start: at(T0), max: 5 },
      { start: at(T0) + LAG_SLOT_SECONDS, max: 50 },
      { start: at(T0) + LAG_SLOT_SECONDS, max: 1 },
      { start: at(T0) + 2 * LAG_SLOT_SECONDS, max: 7 },
    ];
    expect(combinedLagPoints(slots, T0 + minutes(25))).toEqual({
      slotSeconds: LAG_SLOT_SECONDS,
      points: [
        { at: '2026-11-24T12:00:00.000Z', lagSeconds: 5 },
        { at: '2026-11-24T12:10:00.000Z', lagSeconds: 50 },
        { at: '2026-11-24T12:20:00.000Z', lagSeconds: 7 },
      ],
    });
    // A day later the first slot has dropped out.
    expect(combinedLagPoints(slots, T0 + LAG_SLOTS * LAG_SLOT_SECONDS * 1000).points).toEqual([
      { at: '2026-11-24T12:10:00.000Z', lagSeconds: 50 },
      { at: '2026-11-24T12:20:00.000Z', lagSeconds: 7 },
    ]);
  });

  it('writes each finished slot into a ring of one day: the slot a day later replaces it', async () => {
    const ref = { projectId: `proj-ring-${Date.now()}`, clusterId: 'cl-ring' };
    let slot = await recordLag(ref, undefined, 40, T0);
    slot = await recordLag(ref, slot, 60, T0 + minutes(12));
    slot = await recordLag(ref, slot, 5, T0 + LAG_SLOTS * LAG_SLOT_SECONDS * 1000 + minutes(1));
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.lagHistory(ref.projectId, ref.clusterId) }),
    );
    // Two finished slots in the ring; the one in progress is the caller's to keep.
    expect(ringSlots(Item ?? {}).sort((a, b) => a.start - b.start)).toEqual([
      { start: at(T0), max: 40 },
      { start: at(T0) + LAG_SLOT_SECONDS, max: 60 },
    ]);
    expect(slot).toEqual({ start: at(T0) + LAG_SLOTS * LAG_SLOT_SECONDS, max: 5 });
    // Finishing the slot a day after T0 reuses T0's attribute.
    await recordLag(ref, slot, 1, T0 + LAG_SLOTS * LAG_SLOT_SECONDS * 1000 + minutes(11));
    const { Item: after } = await dynamodb.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.lagHistory(ref.projectId, ref.clusterId) }),
    );
    expect(ringSlots(after ?? {}).sort((a, b) => a.start - b.start)).toEqual([
      { start: at(T0) + LAG_SLOT_SECONDS, max: 60 },
      { start: at(T0) + LAG_SLOTS * LAG_SLOT_SECONDS, max: 5 },
    ]);
  });

  it('is recorded by forwarding runs and served per integration to its readers, finished slots included', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const { integrationId } = customer.integration;
    const path = `${project.base}/${integrationId}/lag-history`;
    expect((await project.client.get(path)).json).toEqual({ slotSeconds: LAG_SLOT_SECONDS, points: [] });

    await enableForwarding(project, clusterId, integrationId, 'lag');
    await writeAuditLog(clusterId, new Date(Date.now() - 120_000));
    const points = await eventually(
      async () => {
        const answer = (await project.client.get(path)).json as { points: Array<{ at: string; lagSeconds: number }> };
        return answer.points.length > 0 ? answer.points : undefined;
      },
      'no lag sample was recorded',
      30_000,
    );
    expect(points).toHaveLength(1);
    expect(Date.parse(points[0]?.at ?? '')).toBeLessThanOrEqual(Date.now());

    // A slot an hour ago, finished into the cluster's ring, shows before the slot in progress.
    const hourAgo = Date.now() - minutes(60);
    const previous = await recordLag({ projectId: project.projectId, clusterId }, undefined, 321, hourAgo);
    await recordLag({ projectId: project.projectId, clusterId }, previous, 0, hourAgo + minutes(10));
    const withRing = (await project.client.get(path)).json as { points: Array<{ at: string; lagSeconds: number }> };
    expect(withRing.points[0]).toEqual({ at: new Date((previous?.start ?? 0) * 1000).toISOString(), lagSeconds: 321 });
    expect(withRing.points.length).toBeGreaterThanOrEqual(2);
    expect((await project.client.get(`${project.base}/integ-aaaaaaaaaaaaaaaaaaaa/lag-history`)).status).toBe(404);
  });
});
