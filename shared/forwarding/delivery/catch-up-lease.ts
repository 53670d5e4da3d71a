/**
 * One catch-up run per cluster at a time: a run takes the forwarding's lease (a conditional
 * update) before it lists and delivers, so two runs never deliver the same pending files side by
 * side. Events need no lease: each of their writes is conditional on its own key. (Named apart
 * from the export jobs' lease, which is another thing.)
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { keys } from '#shared/table/keys';
import type { Forwarding } from '#shared/forwarding/forwarding';
import { normalizeForwarding } from '#shared/forwarding/forwarding-store';

export async function claimCatchUpLease(
  ref: { projectId: string; clusterId: string },
  owner: string,
  now: number,
  leaseMs: number,
): Promise<Forwarding | undefined> {
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.forwarding(ref.projectId, ref.clusterId),
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? normalizeForwarding(Attributes) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Gives the lease back without other changes (a run that had nothing to record). */
export async function releaseCatchUpLease(
  ref: Pick<Forwarding, 'projectId' | 'clusterId' | 'generation'>,
  owner: string,
): Promise<void> {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.forwarding(ref.projectId, ref.clusterId),
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'generation = :generation AND leaseOwner = :owner',
        ExpressionAttributeValues: { ':generation': ref.generation, ':owner': owner },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
