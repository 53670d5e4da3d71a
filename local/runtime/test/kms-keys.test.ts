/**
 * AWS::KMS::Key resources of serverless.yml on the local KMS: signing keys created, named in the
 * environment and kept across starts, with their declared key policies enforced; keys (or key
 * policies) that cannot exist stop the start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';
import { startAwsEndpoint, type AwsEndpoint } from '@s3-integrations/aws-endpoint/server';
import { LocalCloudFormation } from '#runtime/cloudformation';
import { functionEnvironment } from '#runtime/env';
import { ensureKmsKeys } from '#runtime/kms-keys';
import { loadService } from '#runtime/service-model';
import { recordingHooks } from '@s3-integrations/aws-endpoint/testing';

/**
 * AWS::KMS::Key resources of serverless.yml become keys of the local KMS at start, referenced
 * from the functions' environment, and stay the same keys across starts (ensureKmsKeys is what
 * local/runtime/src/stack.ts runs).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'runtime-kms-'));
let endpoint: AwsEndpoint;
beforeAll(async () => {
  endpoint = await startAwsEndpoint({ port: 0, dataDir, hooks: recordingHooks() });
});
afterAll(async () => {
  await endpoint.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function stackWith(keys: string): LocalCloudFormation {
  const dir = mkdtempSync(join(tmpdir(), 'kms-service-'));
  writeFileSync(
    join(dir, 'serverless.yml'),
    `service: signer
provider:
  name: aws
  stage: test
  environment:
    DIGEST_KEY_ARN: !GetAtt SigningKey.Arn
    DIGEST_KEY_ID: !Ref SigningKey
resources:
  Resources:
${keys}`,
  );
  return new LocalCloudFormation(loadService(join(dir, 'serverless.yml')), endpoint.url);
}

/** The signing key, its policy granting the account `accountActions`, with `extra` statements after. */
const signingKey = ({ accountActions = 'kms:*', extra = '' } = {}) => `    SigningKey:
      Type: AWS::KMS::Key
      Properties:
        Description: Audit-log digests
        KeySpec: RSA_2048
        KeyUsage: SIGN_VERIFY
        KeyPolicy:
          Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Principal: { AWS: !Sub 'arn:aws:iam::\${AWS::AccountId}:root' }
              Action: ${accountActions}
              Resource: '*'
${extra}`;

const platformKms = () =>
  new KMSClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: `LOCAL${PLATFORM_ACCOUNT_ID}`, secretAccessKey: 'local' },
  });

describe('AWS::KMS::Key in serverless.yml', () => {
  it('creates the declared signing key, names it in the environment, and keeps it across starts', async () => {
    const cloudFormation = stackWith(signingKey());
    const environment = functionEnvironment(cloudFormation, {
      awsUrl: endpoint.url,
      dynamodbUrl: 'http://127.0.0.1:8000',
    });
    expect(environment.DIGEST_KEY_ARN).toMatch(
      new RegExp(`^arn:aws:kms:us-east-1:${PLATFORM_ACCOUNT_ID}:key/[0-9a-f-]{36}$`),
    );
    expect(environment.DIGEST_KEY_ARN?.endsWith(`/${environment.DIGEST_KEY_ID}`)).toBe(true);
    await ensureKmsKeys(cloudFormation, endpoint.kms);

    const kms = platformKms();
    const described = await kms.send(new DescribeKeyCommand({ KeyId: environment.DIGEST_KEY_ARN }));
    expect(described.KeyMetadata).toMatchObject({
      KeySpec: 'RSA_2048',
      KeyUsage: 'SIGN_VERIFY',
      Description: 'Audit-log digests',
      Enabled: true,
    });
    const signature = (
      await kms.send(
        new SignCommand({
          KeyId: environment.DIGEST_KEY_ARN,
          Message: Buffer.from('digest'),
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      )
    ).Signature;
    const publicKey = (await kms.send(new GetPublicKeyCommand({ KeyId: environment.DIGEST_KEY_ID }))).PublicKey;

    // The next start declares the same key: same id, same key pair.
    const again = stackWith(signingKey());
    await ensureKmsKeys(again, endpoint.kms);
    expect(functionEnvironment(again, { awsUrl: endpoint.url, dynamodbUrl: '' }).DIGEST_KEY_ARN).toBe(
      environment.DIGEST_KEY_ARN,
    );
    expect(
      Buffer.from(
        (await kms.send(new GetPublicKeyCommand({ KeyId: environment.DIGEST_KEY_ID }))).PublicKey ?? [],
      ).equals(Buffer.from(publicKey ?? [])),
    ).toBe(true);
    const verified = await kms.send(
      new VerifyCommand({
        KeyId: environment.DIGEST_KEY_ARN,
        Message: Buffer.from('digest'),
        Signature: signature,
        SigningAlgorithm: 'RSASSA_PSS_SHA_256',
      }),
    );
    expect(verified.SignatureValid).toBe(true);
    kms.destroy();
  });

  it('stops the start naming the resource when the key cannot exist, or its key policy cannot', async () => {
    const invalid = stackWith(`    SigningKey:
      Type: AWS::KMS::Key
      Properties:
        KeySpec: ECC_NIST_P256
        KeyUsage: ENCRYPT_DECRYPT
`);
    await expect(ensureKmsKeys(invalid, endpoint.kms)).rejects.toThrow(
      new RegExp(
        '^resources\\.Resources\\.SigningKey\\.Properties: KeyUsage ENCRYPT_DECRYPT is not compatible with ' +
          'KeySpec ECC_NIST_P256',
      ),
    );
    const unknownRole = stackWith(
      signingKey({
        extra: `            - Effect: Allow
              Principal: { AWS: 'arn:aws:iam::111111111111:role/no-such-role' }
              Action: kms:Sign
              Resource: '*'
`,
      }),
    );
    await expect(ensureKmsKeys(unknownRole, endpoint.kms)).rejects.toThrow(
      /^resources\.Resources\.SigningKey\.Properties: .*invalid principals/,
    );
  });

  it('enforces the declared key policy, and follows it from start to start', async () => {
    const kms = platformKms();
    const sign = (keyId: string) =>
      kms.send(
        new SignCommand({ KeyId: keyId, Message: Buffer.from('digest'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      );
    // The account may read the key and change its policy, but no one may sign with it.
    const readOnly = stackWith(
      signingKey({ accountActions: '[kms:DescribeKey, kms:GetPublicKey, kms:GetKeyPolicy, kms:PutKeyPolicy]' }),
    );
    await ensureKmsKeys(readOnly, endpoint.kms);
    const keyId = functionEnvironment(readOnly, { awsUrl: endpoint.url, dynamodbUrl: '' }).DIGEST_KEY_ID ?? '';
    await expect(sign(keyId)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));

    // The next start declares the default key policy again: the account's IAM policies decide.
    await ensureKmsKeys(stackWith(signingKey()), endpoint.kms);
    expect((await sign(keyId)).Signature?.length).toBeGreaterThan(0);
    kms.destroy();
  });
});
