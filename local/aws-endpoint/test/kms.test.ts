/**
 * The local KMS over JSON 1.1 (keys, data keys, refusals in AWS's wording) and as S3 uses it for SSE-KMS
 * writes: who may use a key, and the conditions policies commonly check.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '#endpoint/contract';
import {
  CUSTOMER,
  OTHER,
  PLATFORM,
  allowAll,
  assumeRole,
  clientConfig,
  createRole,
  failure,
  functionSession,
  reopenKms,
  rootCredentials,
  serviceSession,
  startFixture,
  trustAccount,
  trustService,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
let customerKms: KMSClient;
let keyArn: string;
beforeAll(async () => {
  fixture = await startFixture();
  customerKms = new KMSClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
  keyArn = (await customerKms.send(new CreateKeyCommand({ Description: 'exports' }))).KeyMetadata?.Arn ?? '';
});
afterAll(() => fixture.stop());

const kmsAs = async (permissions: ReturnType<typeof allowAll>, roleName: string) => {
  const roleArn = await createRole(fixture, CUSTOMER, roleName, trustAccount(PLATFORM), permissions);
  return new KMSClient(clientConfig(fixture, await assumeRole(fixture, await functionSession(fixture), roleArn)));
};

describe('KMS over JSON 1.1', () => {
  it('creates keys owned by the caller account and describes them', async () => {
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${CUSTOMER}:key/[0-9a-f-]{36}$`));
    const described = await customerKms.send(new DescribeKeyCommand({ KeyId: keyArn.split('/')[1] }));
    expect(described.KeyMetadata).toMatchObject({
      Arn: keyArn,
      AWSAccountId: CUSTOMER,
      Enabled: true,
      KeyState: 'Enabled',
      Description: 'exports',
    });
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
  });

  it('generates a data key for a role whose policy allows kms:GenerateDataKey on the key', async () => {
    const kms = await kmsAs(allowAll('kms:GenerateDataKey', keyArn), 'kms-allowed');
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
    expect(dataKey.KeyId).toBe(keyArn);
    expect(dataKey.Plaintext?.length).toBe(32);
    const decrypted = await customerKms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(dataKey.Plaintext ?? []))).toBe(true);
  });

  it('denies GenerateDataKey to a role whose policy names another key, and to other accounts', async () => {
    const kms = await kmsAs(
      allowAll('kms:GenerateDataKey', `arn:aws:kms:us-east-1:${CUSTOMER}:key/00000000-0000-0000-0000-000000000000`),
      'kms-other-key',
    );
    expect(await failure(kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' })))).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
    });
    const foreign = new KMSClient(clientConfig(fixture, rootCredentials(OTHER)));
    expect(
      await failure(foreign.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }))),
    ).toMatchObject({ name: 'AccessDeniedException', status: 400 });
  });

  it("names the key in a refusal within its account, and not to another account (AWS's wording for both)", async () => {
    const kms = await kmsAs(allowAll('s3:PutObject'), 'kms-none');
    const own = await failure(kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' })));
    expect(own.message).toMatch(
      new RegExp(
        `is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based ` +
          `policy allows the kms:GenerateDataKey action$`,
      ),
    );
    const foreign = new KMSClient(clientConfig(fixture, rootCredentials(OTHER)));
    const other = await failure(foreign.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' })));
    expect(other.message).toBe(
      `User: arn:aws:iam::${OTHER}:root is not authorized to perform: kms:GenerateDataKey on this resource ` +
        `because the resource does not exist in this Region, no resource-based policies allow access, or a ` +
        `resource-based policy explicitly denies access`,
    );
    expect(other.message).not.toContain(keyArn);
  });

  it('answers NotFoundException for unknown keys', async () => {
    const missing = `arn:aws:kms:us-east-1:${CUSTOMER}:key/11111111-2222-3333-4444-555555555555`;
    expect(
      await failure(customerKms.send(new GenerateDataKeyCommand({ KeyId: missing, KeySpec: 'AES_256' }))),
    ).toMatchObject({ name: 'NotFoundException', status: 400 });
  });

  it('binds ciphertext to its encryption context', async () => {
    const sealed = await customerKms.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret'), EncryptionContext: { purpose: 'a' } }),
    );
    expect(
      await failure(
        customerKms.send(
          new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { purpose: 'b' } }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidCiphertextException' });
    const opened = await customerKms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { purpose: 'a' } }),
    );
    expect(Buffer.from(opened.Plaintext ?? []).toString()).toBe('secret');
  });
});

describe('KMS for S3 (SSE-KMS writes)', () => {
  // S3 runs inside the endpoint; here a second instance reads the state the endpoint persisted.
  const reopen = () => reopenKms(fixture);
  const viaS3 = { region: 'us-east-1', encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::exports/a.tar' } };
  const root = (accountId: string): Caller => ({
    accountId,
    arn: `arn:aws:iam::${accountId}:root`,
    accessKeyId: `LOCAL${accountId}`,
    isRoot: true,
  });
  const session = (roleName: string): Caller => ({
    accountId: CUSTOMER,
    arn: `arn:aws:sts::${CUSTOMER}:assumed-role/${roleName}/s`,
    accessKeyId: 'ASIAEXAMPLE',
    isRoot: false,
    roleArn: `arn:aws:iam::${CUSTOMER}:role/${roleName}`,
  });

  it("allows the key account and roles granted kms:GenerateDataKey; others get S3's AccessDenied 403", async () => {
    await createRole(fixture, CUSTOMER, 's3-writer', trustAccount(PLATFORM), allowAll('s3:PutObject'));
    await createRole(fixture, CUSTOMER, 's3-kms-writer', trustAccount(PLATFORM), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 'kms:GenerateDataKey'], Resource: '*' }],
    });
    const kms = reopen();
    expect(() => kms.forS3.generateDataKey(root(CUSTOMER), keyArn, viaS3)).not.toThrow();
    expect(() => kms.forS3.generateDataKey(session('s3-kms-writer'), keyArn, viaS3)).not.toThrow();
    expect(() => kms.forS3.generateDataKey(session('s3-writer'), keyArn, viaS3)).toThrow(
      expect.objectContaining({ code: 'AccessDenied', statusCode: 403 }),
    );
    expect(() => kms.forS3.generateDataKey(root(OTHER), keyArn, viaS3)).toThrow(
      expect.objectContaining({ code: 'AccessDenied', statusCode: 403 }),
    );
    // Through S3 as directly: the key's own account is told which key, another account is not.
    expect(() => kms.forS3.generateDataKey(session('s3-writer'), keyArn, viaS3)).toThrow(
      expect.objectContaining({ message: expect.stringContaining(`on resource: ${keyArn}`) }),
    );
    expect(() => kms.forS3.generateDataKey(root(OTHER), keyArn, viaS3)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('on this resource because the resource does not exist in this Region'),
      }),
    );
  });

  it("sets kms:ViaService, kms:CallerAccount and S3's encryption context, which policies often require", async () => {
    const onlyThroughS3 = await createRole(fixture, CUSTOMER, 'via-s3-only', trustService(), {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey', 'kms:Encrypt'],
          Resource: 'arn:aws:kms:*',
          Condition: {
            StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': CUSTOMER },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::exports/*' },
          },
        },
      ],
    });
    const kms = reopen();
    const caller = session('via-s3-only');
    expect(() => kms.forS3.generateDataKey(caller, keyArn, viaS3)).not.toThrow();
    expect(() => kms.forS3.generateDataKey(caller, keyArn, { ...viaS3, region: 'eu-west-1' })).toThrow(
      expect.objectContaining({ code: 'AccessDenied' }),
    );
    expect(() =>
      kms.forS3.generateDataKey(caller, keyArn, {
        ...viaS3,
        encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::other/a' },
      }),
    ).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    // Called directly, not through S3, the same role may not use the key.
    const direct = new KMSClient(clientConfig(fixture, serviceSession(fixture, onlyThroughS3)));
    const encrypt = {
      KeyId: keyArn,
      Plaintext: Buffer.from('x'),
      EncryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::exports/a.tar' },
    };
    expect(await failure(direct.send(new EncryptCommand(encrypt)))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('answers KMS.NotFoundException for unknown keys and KMS.DisabledException for disabled ones', async () => {
    const missing = `arn:aws:kms:us-east-1:${CUSTOMER}:key/11111111-2222-3333-4444-555555555555`;
    expect(() => reopen().forS3.generateDataKey(root(CUSTOMER), missing, viaS3)).toThrow(
      expect.objectContaining({ code: 'KMS.NotFoundException', statusCode: 400 }),
    );
    const disabled = (await customerKms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    await customerKms.send(new DisableKeyCommand({ KeyId: disabled }));
    expect(
      await failure(customerKms.send(new GenerateDataKeyCommand({ KeyId: disabled, KeySpec: 'AES_256' }))),
    ).toMatchObject({ name: 'DisabledException', status: 400 });
    expect(() => reopen().forS3.generateDataKey(root(CUSTOMER), disabled, viaS3)).toThrow(
      expect.objectContaining({ code: 'KMS.DisabledException', statusCode: 400 }),
    );
  });
});
