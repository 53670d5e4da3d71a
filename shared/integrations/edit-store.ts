/**
 * The write of an edit (PATCH): the integration's new name, description and key, and, when the
 * name changes, its reservation moved, in one transaction. Conditional on the integration being
 * exactly as read (`updatedAt`), so an edit never lands on a state its caller did not see (a
 * validation that started meanwhile, another edit).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { ConflictError } from '#shared/errors';
import type { Integration } from '#shared/integrations/integration';
import { cancellationReasons, tableName as table } from '#shared/table/items';
import { keys } from '#shared/table/keys';

export interface IntegrationEdit {
  name?: string;
  /** null removes it. */
  description?: string | null;
  /** null removes it. */
  kmsKeyArn?: string | null;
}

const sameNameKey = (a: string, b: string) => keys.integrationName('p', a).sk === keys.integrationName('p', b).sk;

export async function saveEdit(integration: Integration, edit: IntegrationEdit, now: string): Promise<void> {
  const { projectId, integrationId } = integration;
  const set = ['updatedAt = :now'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':now': now, ':seen': integration.updatedAt };
  const names: Record<string, string> = {};
  for (const field of ['name', 'description', 'kmsKeyArn'] as const) {
    const value = edit[field];
    if (value === undefined) continue;
    // `name` is a reserved word of DynamoDB expressions: every field goes by an attribute name.
    names[`#${field}`] = field;
    if (value === null) remove.push(`#${field}`);
    else {
      set.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  const update = {
    Update: {
      TableName: table(),
      Key: keys.integration(projectId, integrationId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_exists(pk) AND updatedAt = :seen',
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    },
  };
  const moveName = edit.name !== undefined && !sameNameKey(edit.name, integration.name);
  const items = moveName
    ? [
        update,
        {
          Delete: {
            TableName: table(),
            Key: keys.integrationName(projectId, integration.name),
            ConditionExpression: 'integrationId = :id',
            ExpressionAttributeValues: { ':id': integrationId },
          },
        },
        {
          Put: {
            TableName: table(),
            Item: { ...keys.integrationName(projectId, edit.name ?? ''), integrationId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]
    : [update];
  try {
    await dynamodb.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[2]?.Code === 'ConditionalCheckFailed') {
      throw new ConflictError(
        'NAME_TAKEN',
        `An integration named "${edit.name}" already exists in this project: choose another name.`,
      );
    }
    if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons[1]?.Code === 'ConditionalCheckFailed') {
      throw new ConflictError(
        'CONCURRENT_UPDATE',
        'The integration changed while you edited it (a validation or another edit): read it again and repeat the ' +
          'edit.',
      );
    }
    throw error;
  }
}
