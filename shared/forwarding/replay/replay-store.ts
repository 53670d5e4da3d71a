/**
 * Replay jobs (POST .../audit-log-forwarding/replay) in the project's partition. One replay runs
 * per forwarding at a time: starting one sets `replayRunning` on the forwarding item in the same
 * transaction that creates the job, and finishing it removes it. A slice of work holds the job's
 * lease; progress moves hour by hour, conditioned on that lease.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { ConflictError } from '#shared/errors';
import { loadRecord } from '#shared/table/items';
import { keys } from '#shared/table/keys';
import { publishReplayFinished } from '#shared/notifications/publish';
import type { Forwarding } from '#shared/forwarding/forwarding';
import type { ReplayView } from '#shared/forwarding/schemas';

export interface Replay extends ReplayView {
  projectId: string;
  /**
   * The forwarding's integration when the replay started: its end event names it. Absent on replays
   * started before that event existed, which end without one.
   */
  integrationId?: string;
  /** The forwarding's enablement the replay belongs to. */
  generation: string;
  /** The next hour folder to list (ISO). */
  nextHour: string;
  /** Failed slices in a row (the customer's bucket failing): the replay fails after MAX_FAILED_SLICES. */
  failedSlices: number;
  leaseOwner?: string;
  leaseUntil?: number;
  createdBy: string;
  expiresAt?: number;
}

export const MAX_FAILED_SLICES = 10;
/** A finished replay's record stays this long. */
const KEEP_DAYS = 30;

const table = () => config().TABLE_NAME;

export async function loadReplay(projectId: string, clusterId: string, replayId: string): Promise<Replay | undefined> {
  return loadRecord<Replay>(keys.forwardingReplay(projectId, clusterId, replayId));
}

export async function insertReplay(forwarding: Forwarding, replay: Replay): Promise<void> {
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.forwarding(forwarding.projectId, forwarding.clusterId),
              UpdateExpression: 'SET replayRunning = :replay',
              ConditionExpression: 'generation = :generation AND attribute_not_exists(replayRunning)',
              ExpressionAttributeValues: { ':replay': replay.replayId, ':generation': forwarding.generation },
            },
          },
          {
            Put: {
              TableName: table(),
              Item: { ...keys.forwardingReplay(replay.projectId, replay.clusterId, replay.replayId), ...replay },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      throw new ConflictError(
        'REPLAY_RUNNING',
        'A replay of this forwarding is running (or forwarding changed meanwhile): ' +
          'wait for it to finish (GET .../replay/{replayId}), then start another.',
      );
    }
    throw error;
  }
}

/** Takes the job's lease for a slice; the job as it stands, or undefined when it is not RUNNING or leased. */
export async function claimReplay(
  ref: { projectId: string; clusterId: string; replayId: string },
  owner: string,
  now: number,
  leaseMs: number,
): Promise<Replay | undefined> {
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwardingReplay(ref.projectId, ref.clusterId, ref.replayId),
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
        ConditionExpression: '#status = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':now': now, ':running': 'RUNNING' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) return undefined;
    const { pk: _pk, sk: _sk, ...replay } = Attributes;
    return replay as Replay;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Saves a slice's progress and gives the lease back. False: the lease was lost. */
export async function saveReplayProgress(replay: Replay, owner: string, release: boolean): Promise<boolean> {
  const values: Record<string, unknown> = {
    ':progress': replay.progress,
    ':next': replay.nextHour,
    ':failed': replay.failedSlices,
    ':now': new Date().toISOString(),
    ':owner': owner,
  };
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwardingReplay(replay.projectId, replay.clusterId, replay.replayId),
        UpdateExpression:
          `SET progress = :progress, nextHour = :next, failedSlices = :failed, updatedAt = :now` +
          `${release ? ' REMOVE leaseOwner, leaseUntil' : ''}`,
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Ends the job SUCCEEDED or FAILED, frees the forwarding for the next replay (if it is still the same enablement),
 * then publishes the end: only the slice holding the lease gets past the first write, so once per replay.
 */
export async function finishReplay(
  replay: Replay,
  owner: string,
  result: { status: 'SUCCEEDED'; error?: undefined } | { status: 'FAILED'; error: { code: string; message: string } },
): Promise<void> {
  const now = new Date().toISOString();
  const item = {
    Update: {
      TableName: table(),
      Key: keys.forwardingReplay(replay.projectId, replay.clusterId, replay.replayId),
      UpdateExpression:
        `SET #status = :status, progress = :progress, nextHour = :next, updatedAt = :now, expiresAt = :expires` +
        `${result.error ? ', #error = :error' : ''} REMOVE leaseOwner, leaseUntil`,
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeNames: { '#status': 'status', ...(result.error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: {
        ':status': result.status,
        ':progress': replay.progress,
        ':next': replay.nextHour,
        ':now': now,
        ':owner': owner,
        ':expires': Math.floor(Date.now() / 1000) + KEEP_DAYS * 86_400,
        ...(result.error ? { ':error': result.error } : {}),
      },
    },
  };
  await dynamodb.send(new UpdateCommand(item.Update));
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwarding(replay.projectId, replay.clusterId),
        UpdateExpression: 'REMOVE replayRunning',
        ConditionExpression: 'replayRunning = :replay',
        ExpressionAttributeValues: { ':replay': replay.replayId },
      }),
    );
  } catch (error) {
    // forwarding turned off or moved on: nothing to free
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  if (replay.integrationId) {
    const { projectId, clusterId, replayId, integrationId } = replay;
    await publishReplayFinished(
      { projectId, clusterId, replayId, integrationId },
      result.status === 'FAILED' ? { status: 'FAILED', code: result.error.code } : { status: 'SUCCEEDED' },
    );
  }
}

export function toReplayView(replay: Replay): ReplayView {
  return {
    replayId: replay.replayId,
    clusterId: replay.clusterId,
    status: replay.status,
    from: replay.from,
    to: replay.to,
    progress: replay.progress,
    ...(replay.error ? { error: replay.error } : {}),
    createdAt: replay.createdAt,
    updatedAt: replay.updatedAt,
  };
}
