/**
 * The customer clients kept per destination (validation and forwarding): the same destination
 * reuses its client, any change of what reaches the bucket makes a new one, and the cache holds
 * at most its bound, closing the least recently used client it drops.
 */
import { describe, expect, it, vi } from 'vitest';
import { CustomerClientCache } from '#shared/customer-bucket/customer-s3';
import type { CustomerTarget } from '#shared/customer-bucket/types';

const target: CustomerTarget = {
  integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
  roleArn: 'arn:aws:iam::222222222222:role/exports',
  externalId: 's3i-one',
  bucketName: 'acme-exports',
  bucketOwnerAccountId: '222222222222',
  region: 'us-east-1',
};
const scope = { prefixes: ['logs/c-1/audit/'], objectActions: ['s3:PutObject'] };

describe('CustomerClientCache', () => {
  it('reuses the client of a destination, and makes a new one when anything that reaches the bucket changes', () => {
    const cache = new CustomerClientCache(8);
    const client = cache.clientFor(target, scope, 'forwarding');
    expect(cache.clientFor({ ...target }, { ...scope }, 'forwarding')).toBe(client);
    const changes: Array<[CustomerTarget, typeof scope, string]> = [
      [{ ...target, roleArn: 'arn:aws:iam::222222222222:role/other' }, scope, 'forwarding'],
      [{ ...target, externalId: 's3i-two' }, scope, 'forwarding'],
      [{ ...target, bucketOwnerAccountId: '333333333333' }, scope, 'forwarding'],
      [{ ...target, kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/k' }, scope, 'forwarding'],
      [target, { ...scope, prefixes: ['logs/c-2/audit/'] }, 'forwarding'],
      [target, scope, 'validate'],
    ];
    for (const [changed, changedScope, purpose] of changes)
      expect(cache.clientFor(changed, changedScope, purpose)).not.toBe(client);
  });

  it('keeps at most its bound, dropping and closing the least recently used client first', () => {
    const cache = new CustomerClientCache(2);
    const [a, b] = ['a', 'b'].map((name) => cache.clientFor({ ...target, bucketName: name }, scope, 'forwarding'));
    const closed = [vi.spyOn(a!, 'destroy'), vi.spyOn(b!, 'destroy')];
    cache.clientFor({ ...target, bucketName: 'a' }, scope, 'forwarding'); // a is now the most recent
    cache.clientFor({ ...target, bucketName: 'c' }, scope, 'forwarding');
    expect(closed.map((spy) => spy.mock.calls.length)).toEqual([0, 1]);
    expect(cache.clientFor({ ...target, bucketName: 'a' }, scope, 'forwarding')).toBe(a);
  });
});
