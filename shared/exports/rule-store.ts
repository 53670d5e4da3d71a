/** The per-cluster auto-export rule and its storage: one item per cluster, replaced as a whole by PUT. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { keys } from '#shared/table/keys';
import type { ExportRuleView } from '#shared/exports/schemas';

export interface ExportRule extends ExportRuleView {
  updatedBy: string;
}

const table = () => config().TABLE_NAME;

export async function loadExportRule(projectId: string, clusterId: string): Promise<ExportRule | undefined> {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: table(), Key: keys.exportRule(projectId, clusterId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...rule } = Item;
  return rule as ExportRule;
}

export async function putExportRule(rule: ExportRule): Promise<void> {
  await dynamodb.send(
    new PutCommand({ TableName: table(), Item: { ...keys.exportRule(rule.projectId, rule.clusterId), ...rule } }),
  );
}

/** Returns false when there was no rule. */
export async function deleteExportRule(projectId: string, clusterId: string): Promise<boolean> {
  try {
    await dynamodb.send(
      new DeleteCommand({
        TableName: table(),
        Key: keys.exportRule(projectId, clusterId),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export function toRuleView(rule: ExportRule): ExportRuleView {
  const { updatedBy: _updatedBy, ...view } = rule;
  return view;
}
