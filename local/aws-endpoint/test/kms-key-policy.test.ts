/**
 * KMS key policies through the real KMS and S3 clients: the default policy (the key's account,
 * through IAM), policies that name roles, sessions and other accounts, explicit denies, the
 * lockout safety check, and CreateKey / GetKeyPolicy / PutKeyPolicy's answers.
 */
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '#endpoint/contract';
import {
  CUSTOMER,
  OTHER,
  PLATFORM,
  assumeRole,
  clientConfig,
  createRole,
  failure,
  functionSession,
  rootCredentials,
  startFixture,
  trustAccount,
  type Fixture,
} from './endpoint-fixture';
import { allow, createBucket, rootS3, s3Client, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
let customerKms: KMSClient;
beforeAll(async () => {
  fixture = await startFixture();
  customerKms = new KMSClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
});
afterAll(() => fixture.stop());

let roles = 0;
/** A role of `account` with these identity statements (none: no identity policy), and its ARN. */
async function role(statements: PolicyStatement[], account = CUSTOMER): Promise<string> {
  roles += 1;
  const permissions = statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  return createRole(fixture, account, `key-user-${roles}`, trustAccount(PLATFORM), permissions);
}
const sessionOf = async (roleArn: string, sessionPolicy?: PolicyDocument): Promise<AwsCredentialIdentity> =>
  assumeRole(
    fixture,
    await functionSession(fixture),
    roleArn,
    sessionPolicy ? { Policy: JSON.stringify(sessionPolicy) } : {},
  );
const kmsAs = async (roleArn: string, sessionPolicy?: PolicyDocument) =>
  new KMSClient(clientConfig(fixture, await sessionOf(roleArn, sessionPolicy)));

const keyPolicy = (...Statement: PolicyStatement[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const grant = (principal: string, Action: string | string[], Effect: 'Allow' | 'Deny' = 'Allow'): PolicyStatement => ({
  Effect,
  Principal: { AWS: principal },
  Action,
  Resource: '*',
});
/** The default key policy's statement: the account decides through IAM. */
const delegateToIam = (account = CUSTOMER) => grant(`arn:aws:iam::${account}:root`, 'kms:*');

const createKey = async (policy?: string, extra: { BypassPolicyLockoutSafetyCheck?: boolean } = {}) =>
  (await customerKms.send(new CreateKeyCommand({ ...(policy ? { Policy: policy } : {}), ...extra }))).KeyMetadata
    ?.Arn ?? '';
const dataKey = (kms: KMSClient, KeyId: string) => kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' }));
const denied = (action: string, key: string, reason: string) =>
  expect.objectContaining({
    name: 'AccessDeniedException',
    message: expect.stringMatching(
      new RegExp(`is not authorized to perform: ${action} on resource: ${key} ${reason}$`),
    ),
  });

describe('the default key policy', () => {
  it('is what GetKeyPolicy answers for a key created without one: its account decides through IAM', async () => {
    const key = await createKey();
    const answer = await customerKms.send(new GetKeyPolicyCommand({ KeyId: key }));
    expect(answer.PolicyName).toBe('default');
    expect(JSON.parse(answer.Policy ?? '')).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ ...delegateToIam(), Sid: 'Enable IAM User Permissions' }],
    });
    await expect(dataKey(await kmsAs(await role([allow('kms:GenerateDataKey', key)])), key)).resolves.toBeTruthy();
    expect(await failure(dataKey(await kmsAs(await role([allow('s3:GetObject', '*')])), key))).toEqual(
      denied('kms:GenerateDataKey', key, 'because no identity-based policy allows the kms:GenerateDataKey action'),
    );
  });
});

describe('key policies of the key account', () => {
  it('let a role they name use the key without an identity policy, and no one they do not name', async () => {
    const named = await role([]);
    const key = await createKey(
      keyPolicy(grant(`arn:aws:iam::${CUSTOMER}:root`, 'kms:PutKeyPolicy'), grant(named, 'kms:GenerateDataKey')),
    );
    await expect(dataKey(await kmsAs(named), key)).resolves.toBeTruthy();
    // IAM allows everything, but the key policy gives the account only kms:PutKeyPolicy.
    const iamOnly = await kmsAs(await role([allow('kms:*', '*')]));
    expect(await failure(dataKey(iamOnly, key))).toEqual(
      denied('kms:GenerateDataKey', key, 'because no resource-based policy allows the kms:GenerateDataKey action'),
    );
    expect(await failure(customerKms.send(new DescribeKeyCommand({ KeyId: key })))).toEqual(
      denied('kms:DescribeKey', key, 'because no resource-based policy allows the kms:DescribeKey action'),
    );
  });

  it('are limited by the session policy when they name the role, not when they name the session', async () => {
    const named = await role([]);
    const key = await createKey(keyPolicy(delegateToIam(), grant(named, 'kms:GenerateDataKey')));
    const narrowed = { Version: '2012-10-17', Statement: [allow('s3:GetObject', '*')] };
    expect(await failure(dataKey(await kmsAs(named, narrowed), key))).toEqual(
      denied('kms:GenerateDataKey', key, 'because no session policy allows the kms:GenerateDataKey action'),
    );
    const sessionArn = `arn:aws:sts::${CUSTOMER}:assumed-role/${named.split('/')[1]}/test-session`;
    await customerKms.send(
      new PutKeyPolicyCommand({
        KeyId: key,
        Policy: keyPolicy(delegateToIam(), grant(sessionArn, 'kms:GenerateDataKey')),
      }),
    );
    await expect(dataKey(await kmsAs(named, narrowed), key)).resolves.toBeTruthy();
  });

  it('win with an explicit Deny over what IAM allows', async () => {
    const denyMe = await role([allow('kms:*', '*')]);
    const key = await createKey(keyPolicy(delegateToIam(), grant(denyMe, 'kms:GenerateDataKey', 'Deny')));
    expect(await failure(dataKey(await kmsAs(denyMe), key))).toEqual(
      denied('kms:GenerateDataKey', key, 'with an explicit deny in a resource-based policy'),
    );
    await expect(dataKey(await kmsAs(await role([allow('kms:*', '*')])), key)).resolves.toBeTruthy();
  });

  it("decide S3's SSE-KMS writes too: S3 answers AccessDenied 403 naming the action and the key", async () => {
    const writer = await role([allow(['s3:PutObject', 'kms:GenerateDataKey'], '*')]);
    const key = await createKey(keyPolicy(grant(`arn:aws:iam::${CUSTOMER}:root`, 'kms:PutKeyPolicy')));
    const bucket = await createBucket(rootS3(fixture, CUSTOMER), uniqueBucket('key-policy'));
    const s3 = s3Client(fixture, await sessionOf(writer));
    const put = new PutObjectCommand({
      Bucket: bucket,
      Key: 'a',
      Body: 'x',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: key,
    });
    const refused = await failure(s3.send(put));
    expect(refused).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(refused.message).toMatch(
      new RegExp(`kms:GenerateDataKey on resource: ${key} because no resource-based policy allows`),
    );
    // The key owner delegates to IAM, as the message asks: the same write goes through.
    await customerKms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: keyPolicy(delegateToIam()) }));
    await expect(s3.send(put)).resolves.toMatchObject({ SSEKMSKeyId: key });
  });
});

describe('key policies and other accounts', () => {
  it('need the key policy and the caller identity policy; hide the key from those it is not open to', async () => {
    const key = await createKey(keyPolicy(delegateToIam(), grant(`arn:aws:iam::${OTHER}:root`, 'kms:GenerateDataKey')));
    await expect(
      dataKey(await kmsAs(await role([allow('kms:GenerateDataKey', key)], OTHER)), key),
    ).resolves.toBeTruthy();
    expect(await failure(dataKey(await kmsAs(await role([allow('s3:GetObject', '*')], OTHER)), key))).toEqual(
      denied('kms:GenerateDataKey', key, 'because no identity-based policy allows the kms:GenerateDataKey action'),
    );
    const closed = await createKey();
    const outsider = await kmsAs(await role([allow('kms:*', '*')], OTHER));
    const hidden = await failure(dataKey(outsider, closed));
    expect(hidden.message).toMatch(/on this resource because the resource does not exist in this Region/);
    expect(hidden.message).not.toContain(closed);
    // Key policies are read and written in the key's account only, whatever the policy allows.
    const everything = await createKey(keyPolicy(delegateToIam(), grant(`arn:aws:iam::${OTHER}:root`, 'kms:*')));
    expect(await failure(outsider.send(new GetKeyPolicyCommand({ KeyId: everything })))).toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

describe('CreateKey, PutKeyPolicy and GetKeyPolicy', () => {
  it('refuse a policy that would lock the caller out of PutKeyPolicy, unless it bypasses the check', async () => {
    const onlyRole = keyPolicy(grant(await role([]), 'kms:*'));
    expect(await failure(customerKms.send(new CreateKeyCommand({ Policy: onlyRole })))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: 'The new key policy will not allow you to update the key policy in the future.',
    });
    const locked = await createKey(onlyRole, { BypassPolicyLockoutSafetyCheck: true });
    expect(await failure(customerKms.send(new GetKeyPolicyCommand({ KeyId: locked })))).toEqual(
      denied('kms:GetKeyPolicy', locked, 'because no resource-based policy allows the kms:GetKeyPolicy action'),
    );
    const key = await createKey();
    expect(await failure(customerKms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: onlyRole })))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
  });

  it("answer AWS's errors for malformed policies, missing principals, other names and unknown keys", async () => {
    const key = await createKey();
    const put = (Policy: string, extra: { PolicyName?: string } = {}) =>
      failure(customerKms.send(new PutKeyPolicyCommand({ KeyId: key, Policy, ...extra })));
    expect(await put('{not json')).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(
      await put(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(
      await put(keyPolicy(delegateToIam(), grant(`arn:aws:iam::${CUSTOMER}:role/nobody`, 'kms:Decrypt'))),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: 'Policy contains a statement with one or more invalid principals.',
    });
    expect(await put(keyPolicy(delegateToIam()), { PolicyName: 'other' })).toMatchObject({ name: 'NotFoundException' });
    const missing = `arn:aws:kms:us-east-1:${CUSTOMER}:key/11111111-2222-3333-4444-555555555555`;
    expect(await failure(customerKms.send(new GetKeyPolicyCommand({ KeyId: missing })))).toMatchObject({
      name: 'NotFoundException',
    });
    // Refused policies changed nothing; an accepted one reads back as given.
    const text = keyPolicy(delegateToIam(), grant(await role([]), 'kms:Decrypt'));
    await customerKms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: text }));
    expect((await customerKms.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }))).Policy).toBe(text);
  });

  it('need kms:PutKeyPolicy and kms:GetKeyPolicy, which the default policy leaves to IAM', async () => {
    const key = await createKey();
    const reader = await kmsAs(await role([allow('kms:GetKeyPolicy', key)]));
    await expect(reader.send(new GetKeyPolicyCommand({ KeyId: key }))).resolves.toBeTruthy();
    expect(
      await failure(reader.send(new PutKeyPolicyCommand({ KeyId: key, Policy: keyPolicy(delegateToIam()) }))),
    ).toEqual(denied('kms:PutKeyPolicy', key, 'because no identity-based policy allows the kms:PutKeyPolicy action'));
  });
});
