/** Reads and page queries that every store does the same way. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { projectPk } from '#shared/table/keys';
import { decodePageToken, encodePageToken } from '#shared/table/pagination';

type Key = { pk: string; sk: string };

export const tableName = () => config().TABLE_NAME;

/** A stored record without its table keys (they are an implementation detail, never an answer). */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as T;
}

export async function loadRecord<T>(key: Key): Promise<T | undefined> {
  const { Item } = await dynamodb.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item ? withoutKeys<T>(Item) : undefined;
}

/** One page of a project's records of one type (`skPrefix`), with a checked continuation token. */
export async function queryProjectPage<T>(
  projectId: string,
  skPrefix: string,
  page: { limit: number; nextToken?: string },
): Promise<{ items: T[]; nextToken?: string }> {
  const pk = projectPk(projectId);
  const { Items = [], LastEvaluatedKey } = await dynamodb.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      Limit: page.limit,
      ExclusiveStartKey: decodePageToken(page.nextToken, { pk, skPrefix }),
    }),
  );
  return { items: Items.map((item) => withoutKeys<T>(item)), nextToken: encodePageToken(LastEvaluatedKey) };
}

/** Why each item of a cancelled transaction failed, in the order of its TransactItems. */
export const cancellationReasons = (error: unknown) =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
