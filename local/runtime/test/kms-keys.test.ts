/**
 * AWS::KMS::Key resources of serverless.yml on the local KMS: signing keys created, named in the
 * environment and kept across starts; keys that cannot exist stop the start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

const signingKey = (extra = '') => `    SigningKey:
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
              Action: kms:*
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
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await ensureKmsKeys(cloudFormation, endpoint.kms);
    expect(warn).not.toHaveBeenCalled(); // that key policy is the default one
    warn.mockRestore();

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

  it(
    'stops the start naming the resource when the key cannot exist, and reports a key policy it does not ' + 'enforce',
    async () => {
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

      const custom = stackWith(
        signingKey(`            - Effect: Allow
              Principal: { AWS: 'arn:aws:iam::222222222222:root' }
              Action: kms:GetPublicKey
              Resource: '*'
`),
      );
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      await ensureKmsKeys(custom, endpoint.kms);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'resources.Resources.SigningKey.Properties.KeyPolicy: the local KMS applies the default key policy',
        ),
      );
      warn.mockRestore();
    },
  );
});
