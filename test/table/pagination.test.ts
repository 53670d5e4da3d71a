/**
 * Page tokens (shared/table/pagination.ts): a token round-trips the last key of its query, and one
 * crafted for another partition, another item type or with extra attributes is refused.
 */
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from '#shared/table/pagination';

const expected = { pk: 'PROJECT#p-1', skPrefix: 'INTEGRATION#' };

describe('page tokens', () => {
  it('round-trips the last key of the same query', () => {
    const token = encodePageToken({ pk: 'PROJECT#p-1', sk: 'INTEGRATION#integ-1' });
    expect(decodePageToken(token, expected)).toEqual({ pk: 'PROJECT#p-1', sk: 'INTEGRATION#integ-1' });
  });

  it('has no token after the last page', () => {
    expect(encodePageToken(undefined)).toBeUndefined();
  });

  it.each([
    ['another project', { pk: 'PROJECT#p-2', sk: 'INTEGRATION#integ-1' }],
    ['another item type', { pk: 'PROJECT#p-1', sk: 'JOB#j-1' }],
    ['extra attributes', { pk: 'PROJECT#p-1', sk: 'INTEGRATION#integ-1', gsi: 'x' }],
  ])('refuses a token crafted for %s', (_case, key) => {
    expect(() => decodePageToken(encodePageToken(key), expected)).toThrow(/nextToken is not valid/);
  });

  it('refuses garbage', () => {
    expect(() => decodePageToken('not-base64-json', expected)).toThrow(/nextToken is not valid/);
  });
});
