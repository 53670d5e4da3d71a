/**
 * The writes of an external-ID rotation. Every external ID the service ever issues has a tombstone
 * item (shared/table/keys.ts, `externalId`), written with a condition that it does not exist yet,
 * so a rotation's new ID is never one issued before, and no ID comes back after it is retired or
 * its rotation cancelled (the tombstone stays, marked). Each write is conditional on the
 * integration being exactly as read (`updatedAt`).
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { ConflictError } from '#shared/errors';
import type { Integration, StoredRotation } from '#shared/integrations/integration';
import { cancellationReasons, tableName as table } from '#shared/table/items';
import { keys } from '#shared/table/keys';

const CONCURRENT = () =>
  new ConflictError(
    'CONCURRENT_UPDATE',
    'The integration changed meanwhile (a validation or another change): read it again and repeat.',
  );

const tombstoneMark = (externalId: string, mark: 'retiredAt' | 'cancelledAt', now: string) => ({
  Update: {
    TableName: table(),
    Key: keys.externalId(externalId),
    UpdateExpression: `SET ${mark} = if_not_exists(${mark}, :now)`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':now': now },
  },
});

/** Issues the new ID (its tombstone first: never one issued before) and records the rotation PENDING. */
export async function saveNewRotation(integration: Integration, rotation: StoredRotation): Promise<void> {
  const { projectId, integrationId } = integration;
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: {
                ...keys.externalId(rotation.newExternalId),
                projectId,
                integrationId,
                createdAt: rotation.startedAt,
                rotationOf: rotation.oldExternalId,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: table(),
              Key: keys.integration(projectId, integrationId),
              UpdateExpression: 'SET externalIdRotation = :rotation, updatedAt = :now',
              ConditionExpression:
                'attribute_exists(pk) AND updatedAt = :seen AND attribute_not_exists(externalIdRotation) AND ' +
                'externalId = :old',
              ExpressionAttributeValues: {
                ':rotation': rotation,
                ':now': rotation.startedAt,
                ':seen': integration.updatedAt,
                ':old': rotation.oldExternalId,
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw CONCURRENT();
    throw error;
  }
}

/** Cancels a PENDING rotation: the integration keeps its ID, the new one is marked cancelled (never issued again). */
export async function deletePendingRotation(
  integration: Integration,
  rotation: StoredRotation,
  now: string,
): Promise<void> {
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.integration(integration.projectId, integration.integrationId),
              UpdateExpression: 'REMOVE externalIdRotation SET updatedAt = :now',
              ConditionExpression:
                'attribute_exists(pk) AND updatedAt = :seen AND externalIdRotation.#status = :pending AND ' +
                'externalIdRotation.newExternalId = :new',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':now': now,
                ':seen': integration.updatedAt,
                ':pending': 'PENDING',
                ':new': rotation.newExternalId,
              },
            },
          },
          tombstoneMark(rotation.newExternalId, 'cancelledAt', now),
        ],
      }),
    );
  } catch (error) {
    if (cancellationReasons(error)[0]?.Code === 'ConditionalCheckFailed') throw CONCURRENT();
    throw error;
  }
}

/** Marks a retired ID on its tombstone (after the validation run that retired it; idempotent). */
export async function markRetired(externalId: string, now: string): Promise<void> {
  await dynamodb.send(new UpdateCommand({ ...tombstoneMark(externalId, 'retiredAt', now).Update }));
}
