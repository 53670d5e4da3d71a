/**
 * The shapes an integration's input must have before anything calls AWS: the S3 bucket naming rules
 * (with the reason a name is refused), role ARNs and KMS key ARNs.
 */
import { describe, expect, it } from 'vitest';
import { bucketNameProblem, KMS_KEY_ARN, ROLE_ARN } from '#shared/integrations/naming-rules';

describe('S3 bucket naming rules', () => {
  it.each(['abc', 'my-bucket', 'my.bucket.name', 'a'.repeat(63), '1bucket9'])('accepts %s', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['ab', 'must be 3 to 63'],
    ['a'.repeat(64), 'must be 3 to 63'],
    ['My-Bucket', 'lower-case'],
    ['bucket_name', 'lower-case'],
    ['-bucket', 'begin and end'],
    ['bucket-', 'begin and end'],
    ['my..bucket', 'adjacent dots'],
    ['192.168.5.4', 'IP address'],
    ['xn--bucket', 'reserved prefix'],
    ['sthree-bucket', 'reserved prefix'],
    ['bucket-s3alias', 'reserved suffix'],
    ['bucket--ol-s3', 'reserved suffix'],
  ])('rejects %s', (name, problem) => {
    expect(bucketNameProblem(name)).toContain(problem);
  });
});

describe('ARN shapes', () => {
  it('knows role ARNs, with and without paths', () => {
    expect(ROLE_ARN.test('arn:aws:iam::222222222222:role/export-role')).toBe(true);
    expect(ROLE_ARN.test('arn:aws:iam::222222222222:role/team/data/export-role')).toBe(true);
    expect(ROLE_ARN.test('arn:aws:iam::222222222222:user/export-role')).toBe(false);
    expect(ROLE_ARN.test('arn:aws:iam::2222:role/export-role')).toBe(false);
    expect(ROLE_ARN.test('arn:aws:iam::222222222222:role/')).toBe(false);
  });

  it('knows KMS key ARNs and refuses aliases', () => {
    expect(KMS_KEY_ARN.test('arn:aws:kms:eu-central-1:222222222222:key/0f8b9c1e-3a4d-4f5e-9a6b-7c8d9e0f1a2b')).toBe(
      true,
    );
    expect(KMS_KEY_ARN.test('arn:aws:kms:eu-central-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef')).toBe(
      true,
    );
    expect(KMS_KEY_ARN.test('arn:aws:kms:eu-central-1:222222222222:alias/exports')).toBe(false);
  });
});
