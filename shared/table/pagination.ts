/**
 * Page tokens are the DynamoDB LastEvaluatedKey, base64url-encoded. On the way back in they are
 * checked against the partition and sort-key prefix of the query they continue, so a crafted token
 * can neither reach another project's partition nor another item type.
 */
import { BadRequestError } from '#shared/errors';

type Key = Record<string, string>;

export function encodePageToken(lastKey: Record<string, unknown> | undefined): string | undefined {
  return lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : undefined;
}

export function decodePageToken(
  token: string | undefined,
  expected: { pk: string; skPrefix: string },
): Key | undefined {
  if (token === undefined) return undefined;
  const expectedToken = 'the nextToken of the previous page of this same list, unchanged (or none for the first page)';
  const invalid = new BadRequestError(
    `The nextToken is not valid: expected ${expectedToken}.`,
    [{ field: 'nextToken', issue: 'is not a page token this list answered', expected: expectedToken }],
    'INVALID_NEXT_TOKEN',
  );
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof key !== 'object' || key === null) throw invalid;
  const { pk, sk, ...rest } = key as Record<string, unknown>;
  if (
    pk !== expected.pk ||
    typeof sk !== 'string' ||
    !sk.startsWith(expected.skPrefix) ||
    Object.keys(rest).length > 0
  ) {
    throw invalid;
  }
  return { pk, sk };
}
