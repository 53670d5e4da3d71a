/**
 * Files that landed and could not be delivered when their event came (forwarding paused, the
 * integration not usable, the customer's bucket failing, older files still waiting): the
 * forwarding remembers the write time of the oldest one (`pendingSince`), and a catch-up run
 * (delivery/catch-up-run.ts) delivers every hour from there on, oldest first.
 *
 * Marking is a handshake with that run: every mark raises `pendingMark`, and the run removes
 * `pendingSince` only if the mark it started from is still there. A file marked while the run was
 * finishing is therefore never dropped: the run sees the new mark and goes round again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { keys } from '#shared/table/keys';
import type { Forwarding } from '#shared/forwarding/forwarding';

type Ref = Pick<Forwarding, 'projectId' | 'clusterId' | 'generation'>;

/** Events ask for a catch-up run at most this often per cluster; the scheduler asks every tick anyway. */
export const CATCH_UP_REQUEST_INTERVAL_MS = 5_000;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Records that files written at `oldest` or later are pending. Answers whether the caller should
 * ask for a catch-up run now (nobody asked in the last CATCH_UP_REQUEST_INTERVAL_MS), and false
 * when the forwarding was turned off meanwhile.
 */
export async function markPending(
  ref: Ref,
  oldest: Date,
  now = Date.now(),
): Promise<{ recorded: boolean; requestCatchUp: boolean }> {
  const since = oldest.toISOString();
  const base = {
    TableName: config().TABLE_NAME,
    Key: keys.forwarding(ref.projectId, ref.clusterId),
    ExpressionAttributeValues: {
      ':generation': ref.generation,
      ':one': 1,
      ':now': new Date(now).toISOString(),
    } as Record<string, unknown>,
    ReturnValues: 'UPDATED_OLD' as const,
  };
  let old: Record<string, unknown> | undefined;
  try {
    // The lag shows at once, so the scheduler sees this cluster as behind (the index projects health).
    ({ Attributes: old } = await dynamodb.send(
      new UpdateCommand({
        ...base,
        UpdateExpression:
          'SET pendingSince = :since, catchUpRequestedAt = :now, health.lagSeconds = :lag ADD pendingMark :one',
        ConditionExpression:
          'generation = :generation AND (attribute_not_exists(pendingSince) OR pendingSince > :since)',
        ExpressionAttributeValues: {
          ...base.ExpressionAttributeValues,
          ':since': since,
          ':lag': Math.max(1, Math.round((now - oldest.getTime()) / 1000)),
        },
      }),
    ));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Older files are pending already: only the mark moves, so a catch-up run finishing now goes round again.
    try {
      ({ Attributes: old } = await dynamodb.send(
        new UpdateCommand({
          ...base,
          UpdateExpression: 'SET catchUpRequestedAt = :now ADD pendingMark :one',
          ConditionExpression: 'generation = :generation',
        }),
      ));
    } catch (again) {
      if (isConditionFailure(again)) return { recorded: false, requestCatchUp: false };
      throw again;
    }
  }
  const lastRequest = typeof old?.catchUpRequestedAt === 'string' ? Date.parse(old.catchUpRequestedAt) : 0;
  return { recorded: true, requestCatchUp: now - lastRequest >= CATCH_UP_REQUEST_INTERVAL_MS };
}

/** The run that holds the catch-up lease, as far as pending files go. */
export interface PendingRef extends Ref {
  leaseOwner: string;
  /** pendingMark as the run read it (undefined: never marked). */
  mark: number | undefined;
}

/**
 * Everything pending was delivered: removes `pendingSince` (and the cursor of the polling design
 * that came before, which it replaces), unless a file was marked since the run read the mark.
 * False: marked meanwhile (or the lease or the forwarding is gone).
 */
export async function clearPending(run: PendingRef): Promise<boolean> {
  return conditionalUpdate(run, 'REMOVE pendingSince, #cursor, deliveredThrough', {});
}

/**
 * The run stopped early: the oldest file still pending moves forward to `since`, unless something was marked meanwhile.
 */
export async function advancePending(run: PendingRef, since: Date): Promise<boolean> {
  return conditionalUpdate(run, 'SET pendingSince = :since REMOVE #cursor, deliveredThrough', {
    ':since': since.toISOString(),
  });
}

async function conditionalUpdate(run: PendingRef, update: string, values: Record<string, unknown>): Promise<boolean> {
  const markCondition = run.mark === undefined ? 'attribute_not_exists(pendingMark)' : 'pendingMark = :mark';
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.forwarding(run.projectId, run.clusterId),
        UpdateExpression: update,
        ConditionExpression: `generation = :generation AND leaseOwner = :owner AND ${markCondition}`,
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: {
          ...values,
          ':generation': run.generation,
          ':owner': run.leaseOwner,
          ...(run.mark === undefined ? {} : { ':mark': run.mark }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
