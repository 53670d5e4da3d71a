/**
 * One work unit of an export attempt, as an object that owns its state and its persistence: its
 * range (unit-ranges.ts), the lease that lets exactly one invocation copy it, its turn (which
 * message may work on it now), the progress it has already added to the job, and whether it is
 * done. Item `UNIT#<u>`: small, and written a bounded number of times (taken, a progress write
 * every few seconds, handed over or done).
 *
 * The lease protocol is the job's (docs/exports.md#leases-and-turns), per unit: a message for turn
 * t may take the unit when it is not done, its turn is at most t, and its lease is free, lapsed or
 * held by the invocation the message names in `after`. A lane that finished the unit before may
 * also *walk* on to the next unit of its lane and take it when free or lapsed, whatever its turn.
 * Each take increments `epoch`, which fences every checkpoint write made under the lease.
 *
 * Progress is exact: the unit item keeps what it has counted into the job's progress, and every
 * count moves that mark and the job's totals in one transaction, so a crash can neither lose nor
 * double a count; a new holder counts what the checkpoints show beyond the mark.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { cancellationReasons, tableName } from '#shared/table/items';
import { exportSortKey, keys } from '#shared/table/keys';
import { attemptKey, checkpointExpiry, putAll, type AttemptRef } from '#shared/exports/checkpoints/attempt';
import type { UnitRange } from '#shared/exports/checkpoints/unit-ranges';
import { LeaseLostError } from '#shared/exports/lease-lost';
import { transactWithRetries } from '#shared/exports/checkpoints/transact';

export interface Counts {
  objects: number;
  bytes: number;
}

interface UnitItem extends UnitRange {
  turn: number;
  epoch: number;
  stalls: number;
  counted: Counts;
  done?: boolean;
  lease?: { owner: string; expiresAt: number };
}

export interface UnitLeaseRequest {
  owner: string;
  expiresAt: number;
  /** A message's turn; absent when a lane walks on to its next unit. */
  turn?: number;
  after?: string;
}

export type UnitTake =
  | { kind: 'taken'; unit: WorkUnit }
  | { kind: 'done' }
  /** A live invocation holds it (its own message covers its crash). */
  | { kind: 'busy' }
  /** The message belongs to an earlier turn, or the unit does not exist. */
  | { kind: 'stale' };

/** Thrown when the job ended or failed under a unit: its work is no longer wanted. */
export class JobNoLongerRunningError extends Error {
  constructor() {
    super('The export job is no longer running.');
    this.name = 'JobNoLongerRunningError';
  }
}

export class WorkUnit {
  /** Counts are written one after another (a progress count and the final one may be asked for at once). */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly ref: AttemptRef,
    private readonly item: UnitItem,
    private readonly owner: string,
  ) {}

  /** Writes the plan's units (with no lease, turn 0). Safe to repeat before the plan is committed. */
  static writeAll(ref: AttemptRef, ranges: UnitRange[]): Promise<void> {
    const expiresAt = checkpointExpiry();
    return putAll(
      ranges.map((range) => ({
        ...attemptKey(ref, exportSortKey.unit(range.unit)),
        ...range,
        turn: 0,
        epoch: 0,
        stalls: 0,
        counted: { objects: 0, bytes: 0 },
        expiresAt,
      })),
    );
  }

  static async take(ref: AttemptRef, unit: number, request: UnitLeaseRequest): Promise<UnitTake> {
    const now = Date.now();
    const viaMessage = request.turn !== undefined;
    const handover = viaMessage && request.after ? ' OR lease.#owner = :after' : '';
    try {
      const { Attributes } = await dynamodb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: attemptKey(ref, exportSortKey.unit(unit)),
          UpdateExpression: `SET lease = :lease, epoch = epoch + :one${viaMessage ? ', turn = :turn' : ''}`,
          ConditionExpression:
            `attribute_exists(pk) AND attribute_not_exists(done)${viaMessage ? ' AND turn <= :turn' : ''} AND ` +
            `(attribute_not_exists(lease) OR lease.expiresAt < :now${handover})`,
          ExpressionAttributeNames: handover ? { '#owner': 'owner' } : undefined,
          ExpressionAttributeValues: {
            ':lease': { owner: request.owner, expiresAt: request.expiresAt },
            ':one': 1,
            ':now': now,
            ...(viaMessage ? { ':turn': request.turn } : {}),
            ...(handover ? { ':after': request.after } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'taken', unit: new WorkUnit(ref, Attributes as UnitItem, request.owner) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: tableName(), Key: attemptKey(ref, exportSortKey.unit(unit)), ConsistentRead: true }),
    );
    const current = Item as UnitItem | undefined;
    if (!current) return { kind: 'stale' };
    if (current.done) return { kind: 'done' };
    if (viaMessage && current.turn > (request.turn ?? 0)) return { kind: 'stale' };
    return { kind: 'busy' };
  }

  get range(): UnitRange {
    const { unit, first, last, bytes } = this.item;
    return { unit, first, last, bytes };
  }

  get number(): number {
    return this.item.unit;
  }

  get epoch(): number {
    return this.item.epoch;
  }

  get turn(): number {
    return this.item.turn;
  }

  get stalls(): number {
    return this.item.stalls;
  }

  get counted(): Counts {
    return { ...this.item.counted };
  }

  /**
   * Moves the counted mark to `recorded` (what the checkpoints hold) and adds the difference to
   * the job's progress; with `done`, also marks the unit done and frees it, and for a lane's last
   * unit counts the lane as finished. One transaction; fails with LeaseLostError when the unit is
   * no longer ours, with JobNoLongerRunningError when the job ended or failed meanwhile.
   */
  count(recorded: Counts, finish?: { lastOfLane: boolean }): Promise<void> {
    const write = this.writing.then(() => this.write(recorded, finish));
    this.writing = write.catch(() => undefined);
    return write;
  }

  private async write(recorded: Counts, finish?: { lastOfLane: boolean }): Promise<void> {
    if (this.item.done) return;
    const counted = this.item.counted;
    if (!finish && recorded.objects <= counted.objects && recorded.bytes <= counted.bytes) return;
    const delta = { objects: recorded.objects - counted.objects, bytes: recorded.bytes - counted.bytes };
    const unitUpdate = {
      Update: {
        TableName: tableName(),
        Key: attemptKey(this.ref, exportSortKey.unit(this.item.unit)),
        UpdateExpression: finish ? 'SET counted = :counted, done = :true REMOVE lease' : 'SET counted = :counted',
        ConditionExpression: 'lease.#owner = :owner AND attribute_not_exists(done)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':counted': recorded, ':owner': this.owner, ...(finish ? { ':true': true } : {}) },
      },
    };
    const jobUpdate = {
      Update: {
        TableName: tableName(),
        Key: keys.job(this.ref.projectId, this.ref.jobId),
        UpdateExpression:
          'ADD progress.objectsCopied :objects, progress.bytesCopied :bytes' +
          (finish?.lastOfLane ? ', lanesDone :one' : '') +
          ' SET updatedAt = :now',
        ConditionExpression: '#status = :running AND attempt = :attempt AND attribute_not_exists(failure)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':objects': delta.objects,
          ':bytes': delta.bytes,
          ':now': new Date().toISOString(),
          ':running': 'RUNNING',
          ':attempt': this.ref.attempt,
          ...(finish?.lastOfLane ? { ':one': 1 } : {}),
        },
      },
    };
    try {
      await transactWithRetries([unitUpdate, jobUpdate]);
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new LeaseLostError('work unit');
      if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new JobNoLongerRunningError();
      throw error;
    }
    this.item.counted = recorded;
    if (finish) {
      this.item.done = true;
      delete this.item.lease;
    }
  }

  /**
   * Ends this invocation's turn on the unit, after the continuation message was sent (or frees a
   * unit never started, with the same turn).
   */
  async handOver(next: { turn: number; stalls: number }): Promise<void> {
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: attemptKey(this.ref, exportSortKey.unit(this.item.unit)),
          UpdateExpression: 'SET turn = :turn, stalls = :stalls REMOVE lease',
          ConditionExpression: 'lease.#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':turn': next.turn, ':stalls': next.stalls, ':owner': this.owner },
        }),
      );
    } catch (error) {
      // The successor the message names took over already: nothing left to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
