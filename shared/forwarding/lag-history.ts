/**
 * Forwarding lag over time, for a chart: the largest lag of each 10-minute slot of the last day.
 *
 * The slot in progress (its start and largest lag so far) rides on the forwarding item, a few
 * bytes written with the run's health. When a run opens a new slot, the finished one goes into
 * the cluster's lag-history item, a ring of 144 attributes (one day) named by slot number, with
 * one UpdateItem every 10 minutes. So the forwarding item, which every run rewrites three times
 * and DynamoDB bills by size, stays as small as it was. Recording is one call, `recordLag`.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LagHistoryView } from '#shared/forwarding/schemas';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { keys } from '#shared/table/keys';

export const LAG_SLOT_SECONDS = 600;
export const LAG_SLOTS = 144;

export interface LagSlot {
  /** Epoch seconds of the slot's start (a multiple of LAG_SLOT_SECONDS). */
  start: number;
  /** The largest lag (seconds) a run measured in it. */
  max: number;
}

const slotStart = (epochMs: number) => Math.floor(epochMs / 1000 / LAG_SLOT_SECONDS) * LAG_SLOT_SECONDS;
const ringAttribute = (start: number) => `slot${(start / LAG_SLOT_SECONDS) % LAG_SLOTS}`;

/** The slot in progress after one more sample, and the slot that sample closed, if any. */
export function nextLagSlot(
  current: LagSlot | undefined,
  lagSeconds: number | undefined,
  now: number,
): { slot?: LagSlot; finished?: LagSlot } {
  if (lagSeconds === undefined) return current ? { slot: current } : {};
  const start = slotStart(now);
  if (!current || start > current.start)
    return { slot: { start, max: lagSeconds }, ...(current ? { finished: current } : {}) };
  if (start < current.start) return { slot: current }; // a clock behind the last run: ignore the sample
  return { slot: { start, max: Math.max(current.max, lagSeconds) } };
}

/**
 * Records a run's lag: answers the slot in progress (store it with the run's health) and, when the
 * run opened a new slot, writes the finished one into the cluster's ring. History is best effort:
 * a failed ring write is logged, never fails the run.
 */
export async function recordLag(
  ref: { projectId: string; clusterId: string },
  current: LagSlot | undefined,
  lagSeconds: number | undefined,
  now: number,
): Promise<LagSlot | undefined> {
  const { slot, finished } = nextLagSlot(current, lagSeconds, now);
  if (finished) {
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: config().TABLE_NAME,
          Key: keys.lagHistory(ref.projectId, ref.clusterId),
          UpdateExpression: 'SET clusterId = :cluster, #slot = :slot',
          ExpressionAttributeNames: { '#slot': ringAttribute(finished.start) },
          ExpressionAttributeValues: { ':cluster': ref.clusterId, ':slot': [finished.start, finished.max] },
        }),
      );
    } catch (error) {
      logger.warn('could not record a forwarding lag slot', { ...ref, error: (error as Error).name });
    }
  }
  return slot;
}

/** The slots of a lag-history item (its ring attributes), in any order. */
export function ringSlots(item: Record<string, unknown>): LagSlot[] {
  return Object.entries(item)
    .filter(([name, value]) => /^slot\d+$/.test(name) && Array.isArray(value))
    .map(([, value]) => ({ start: Number((value as number[])[0]), max: Number((value as number[])[1]) }));
}

/**
 * Several clusters' slots as one series: the worst lag of each slot of the last day, as the integration's health
 * reports the worst.
 */
export function combinedLagPoints(slots: LagSlot[], now: number): LagHistoryView {
  const oldest = slotStart(now) - (LAG_SLOTS - 1) * LAG_SLOT_SECONDS;
  const worst = new Map<number, number>();
  for (const { start, max } of slots) if (start >= oldest) worst.set(start, Math.max(worst.get(start) ?? 0, max));
  const points = [...worst]
    .sort(([a], [b]) => a - b)
    .map(([at, lagSeconds]) => ({ at: new Date(at * 1000).toISOString(), lagSeconds }));
  return { slotSeconds: LAG_SLOT_SECONDS, points };
}
