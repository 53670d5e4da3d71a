/**
 * The KMS messages' key: from the refusal, from the bucket's encryption rule (ARN, alias or key id), or how to find it.
 */
import { describe, expect, it } from 'vitest';
import { keyNamedBy, keyOfEncryptionRule, kmsAccessDenied } from '#shared/validation/kms-failures';

const key = 'arn:aws:kms:us-west-2:222222222222:key/0f8b9c1e-3a4d-4f5e-9a6b-7c8d9e0f1a2b';
const target = {
  roleArn: 'arn:aws:iam::222222222222:role/r',
  externalId: 's3i-x',
  bucketName: 'b',
  region: 'us-west-2',
};
const bucket = { region: 'us-west-2', ownerAccountId: '222222222222' };

describe('the key behind a KMS refusal', () => {
  it('is the one the refusal names, when it names one', () => {
    expect(
      keyNamedBy({
        message:
          `User: x is not authorized to perform: kms:GenerateDataKey on resource: ${key} because no ` +
          `session policy allows the kms:GenerateDataKey action`,
      }),
    ).toEqual({ arn: key });
    expect(
      keyNamedBy({
        message:
          'User: x is not authorized to perform: kms:GenerateDataKey on this resource because the resource does not ' +
          'exist in this Region',
      }),
    ).toBeUndefined();
  });

  it('reads an encryption rule written as an ARN, a bare key id or an alias', () => {
    expect(keyOfEncryptionRule(key, bucket)).toEqual({ arn: key });
    expect(keyOfEncryptionRule('0f8b9c1e-3a4d-4f5e-9a6b-7c8d9e0f1a2b', bucket)).toEqual({ arn: key });
    expect(keyOfEncryptionRule('alias/exports', bucket)).toEqual({ alias: 'alias/exports' });
    expect(keyOfEncryptionRule(undefined, bucket)).toBeUndefined();
  });

  it('an alias: the message says how to find the key it points to', () => {
    const failure = kmsAccessDenied('WRITE_ACCESS', 'check bucket failed: put object: x', {}, target, {
      alias: 'alias/exports',
    });
    expect(failure.message).toContain('aws kms describe-key --key-id alias/exports');
    expect(failure.message).toContain('allow kms:GenerateDataKey and kms:Decrypt on <that key ARN>');
  });
});
