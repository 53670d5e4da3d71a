import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import type { Forwarding } from '#shared/forwarding/forwarding';
import type { LagSlot } from '#shared/forwarding/lag-history';

/**
 * The delivery state of one forwarding, changed only by the worker run that holds its lease. Every
 * write is conditioned on the enablement (`generation`) and on the lease, and the cursor moves only
 * from the exact value the run last saw: two overlapping runs can neither move it backwards nor
 * past a file that was not delivered, and a run for a forwarding that was turned off writes nothing.
 */
const table = () => config().TABLE_NAME;

export interface RunRef {
  projectId: string;
  clusterId: string;
  generation: string;
  owner: string;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Takes the lease for `leaseMs`, unless another run holds an unexpired one or forwarding is off.
 * Answers the forwarding as it stands with the lease taken, or undefined.
 */
export async function acquireLease(
  ref: { projectId: string; clusterId: string },
  owner: string,
  now: number,
  leaseMs: number,
): Promise<Forwarding | undefined> {
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwarding(ref.projectId, ref.clusterId),
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) return undefined;
    const { pk: _pk, sk: _sk, ...forwarding } = Attributes;
    return forwarding as Forwarding;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export interface CursorMove {
  from: string | undefined;
  to: string;
  /** Set when files were delivered (not when keys were only skipped). */
  delivered?: { through: string; at: string };
}

/** Moves the cursor after the customer-side writes up to `to` were confirmed. False: the run lost its lease. */
export async function moveCursor(run: RunRef, move: CursorMove): Promise<boolean> {
  const set = ['#cursor = :to'];
  const values: Record<string, unknown> = { ':to': move.to, ':generation': run.generation, ':owner': run.owner };
  if (move.delivered) {
    set.push('deliveredThrough = :through', 'health.lastDeliveryAt = :at');
    values[':through'] = move.delivered.through;
    values[':at'] = move.delivered.at;
  }
  let cursorCondition = 'attribute_not_exists(#cursor)';
  if (move.from !== undefined) {
    cursorCondition = '#cursor = :from';
    values[':from'] = move.from;
  }
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwarding(run.projectId, run.clusterId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: `generation = :generation AND leaseOwner = :owner AND ${cursorCondition}`,
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Records the run's outcome (health, lag slot in progress) on the forwarding and gives the lease back. False: the run had lost it. */
export async function finishRun(run: RunRef, health: IntegrationHealth, lagSlot?: LagSlot): Promise<boolean> {
  const values: Record<string, unknown> = { ':health': health, ':generation': run.generation, ':owner': run.owner };
  if (lagSlot) values[':lagSlot'] = lagSlot;
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwarding(run.projectId, run.clusterId),
        UpdateExpression: `SET health = :health${lagSlot ? ', lagSlot = :lagSlot' : ''} REMOVE leaseOwner, leaseUntil`,
        ConditionExpression: 'generation = :generation AND leaseOwner = :owner',
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
