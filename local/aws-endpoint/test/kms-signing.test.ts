/**
 * Asymmetric signing keys in the local KMS: CreateKey, Sign, Verify and GetPublicKey with AWS's
 * answers, and signatures that interoperate with node:crypto both ways.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, constants, type KeyObject } from 'node:crypto';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '#endpoint/contract';
import { startAwsEndpoint } from '#endpoint/server';
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
  recordingHooks,
  reopenKms,
  rootCredentials,
  startFixture,
  trustAccount,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
let kms: KMSClient;
let rsaKey: string;
let rsaPublicKey: KeyObject;
let ecKey: string;
beforeAll(async () => {
  fixture = await startFixture();
  kms = new KMSClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
  rsaKey =
    (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'digests' })))
      .KeyMetadata?.Arn ?? '';
  rsaPublicKey = publicKeyOf((await kms.send(new GetPublicKeyCommand({ KeyId: rsaKey }))).PublicKey);
  ecKey =
    (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ??
    '';
});
afterAll(() => fixture.stop());

const publicKeyOf = (der: Uint8Array | undefined) =>
  createPublicKey({ key: Buffer.from(der ?? []), format: 'der', type: 'spki' });
const message = Buffer.from('{"hour":"2030-01-01T00","files":[{"key":"a.log","sha256":"..."}]}');
const RSA_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
] as const;

/** How node:crypto signs and verifies what each KMS algorithm means. */
function nodeScheme(algorithm: string): { hash: string; options: Record<string, number | string> } {
  const hash = `sha${algorithm.slice(-3)}`;
  if (algorithm.startsWith('RSASSA_PSS'))
    return {
      hash,
      options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
    };
  if (algorithm.startsWith('RSASSA_PKCS1')) return { hash, options: { padding: constants.RSA_PKCS1_PADDING } };
  return { hash, options: { dsaEncoding: 'der' } };
}

describe('CreateKey, DescribeKey and GetPublicKey for signing keys', () => {
  it(
    'describes an RSA signing key with its spec, usage and signing algorithms, and hands out its DER public ' + 'key',
    async () => {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: rsaKey }));
      expect(described.KeyMetadata).toMatchObject({
        KeySpec: 'RSA_2048',
        CustomerMasterKeySpec: 'RSA_2048',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: [...RSA_ALGORITHMS],
        Description: 'digests',
      });
      expect(described.KeyMetadata?.EncryptionAlgorithms).toBeUndefined();
      const exported = await kms.send(new GetPublicKeyCommand({ KeyId: rsaKey }));
      expect(exported).toMatchObject({
        KeyId: rsaKey,
        KeySpec: 'RSA_2048',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: [...RSA_ALGORITHMS],
      });
      expect(rsaPublicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const ec = await kms.send(new GetPublicKeyCommand({ KeyId: ecKey }));
      expect(ec.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
      expect(publicKeyOf(ec.PublicKey).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    },
  );

  it('refuses what AWS refuses, and says what the local KMS does not serve', async () => {
    expect(
      await failure(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }))),
    ).toMatchObject({ name: 'ValidationException' });
    expect(
      await failure(kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' }))),
    ).toMatchObject({ name: 'ValidationException' });
    expect(
      await failure(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_1024' as 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))),
    ).toMatchObject({ name: 'ValidationException' });
    expect(
      await failure(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))),
    ).toMatchObject({ name: 'UnsupportedOperationException' });
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn;
    expect(await failure(kms.send(new GetPublicKeyCommand({ KeyId: symmetric })))).toMatchObject({
      name: 'UnsupportedOperationException',
    });
    const signSymmetric = kms.send(
      new SignCommand({ KeyId: symmetric, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
    );
    expect(await failure(signSymmetric)).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: expect.stringContaining('key usage is ENCRYPT_DECRYPT which is not valid for Sign'),
    });
    expect(await failure(kms.send(new EncryptCommand({ KeyId: rsaKey, Plaintext: Buffer.from('x') })))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${rsaKey} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    });
    expect(await failure(kms.send(new GenerateDataKeyCommand({ KeyId: rsaKey, KeySpec: 'AES_256' })))).toMatchObject({
      name: 'InvalidKeyUsageException',
    });
    expect(
      await failure(kms.send(new SignCommand({ KeyId: rsaKey, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))),
    ).toMatchObject({ name: 'InvalidKeyUsageException' });
    expect(
      await failure(
        kms.send(
          new SignCommand({ KeyId: rsaKey, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256', DryRun: true }),
        ),
      ),
    ).toMatchObject({
      name: 'DryRunOperationException',
      status: 412,
    });
    const disabled = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata?.Arn;
    await kms.send(new DisableKeyCommand({ KeyId: disabled }));
    expect(
      await failure(
        kms.send(new SignCommand({ KeyId: disabled, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      ),
    ).toMatchObject({ name: 'DisabledException' });
  });
});

describe('Sign and Verify', () => {
  it.each(RSA_ALGORITHMS)(
    '%s: a KMS signature verifies with node:crypto and KMS; a node:crypto signature verifies with KMS',
    async (algorithm) => {
      const { hash, options } = nodeScheme(algorithm);
      const signed = await kms.send(
        new SignCommand({ KeyId: rsaKey, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }),
      );
      expect(signed).toMatchObject({ KeyId: rsaKey, SigningAlgorithm: algorithm });
      const signature = Buffer.from(signed.Signature ?? []);
      expect(verify(hash, message, { key: rsaPublicKey, ...options }, signature)).toBe(true);
      expect(
        (
          await kms.send(
            new VerifyCommand({ KeyId: rsaKey, Message: message, Signature: signature, SigningAlgorithm: algorithm }),
          )
        ).SignatureValid,
      ).toBe(true);

      // A digest signed by KMS is a signature of the message, and the other way round.
      const digest = createHash(hash).update(message).digest();
      const ofDigest = Buffer.from(
        (
          await kms.send(
            new SignCommand({ KeyId: rsaKey, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }),
          )
        ).Signature ?? [],
      );
      expect(verify(hash, message, { key: rsaPublicKey, ...options }, ofDigest)).toBe(true);
      expect(
        (
          await kms.send(
            new VerifyCommand({
              KeyId: rsaKey,
              Message: digest,
              MessageType: 'DIGEST',
              Signature: signature,
              SigningAlgorithm: algorithm,
            }),
          )
        ).SignatureValid,
      ).toBe(true);
    },
  );

  it('verifies signatures made outside KMS only with the key pair they were made with', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { hash, options } = nodeScheme('RSASSA_PSS_SHA_256');
    const foreign = sign(hash, message, { key: other.privateKey, ...options });
    const check = (Signature: Uint8Array, Message = message) =>
      kms.send(new VerifyCommand({ KeyId: rsaKey, Message, Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    expect(await failure(check(foreign))).toMatchObject({ name: 'KMSInvalidSignatureException', status: 400 });
    const genuine = Buffer.from(
      (await kms.send(new SignCommand({ KeyId: rsaKey, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })))
        .Signature ?? [],
    );
    expect(await failure(check(genuine, Buffer.from('another message')))).toMatchObject({
      name: 'KMSInvalidSignatureException',
    });
    const flipped = Buffer.from(genuine);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(await failure(check(flipped))).toMatchObject({ name: 'KMSInvalidSignatureException' });
    const wrongLength = kms.send(
      new SignCommand({
        KeyId: rsaKey,
        Message: Buffer.alloc(20),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'RSASSA_PSS_SHA_256',
      }),
    );
    expect(await failure(wrongLength)).toMatchObject({ name: 'ValidationException' });
  });

  it('signs with ECDSA (DER) that node:crypto verifies, and verifies node:crypto ECDSA signatures', async () => {
    const publicKey = publicKeyOf((await kms.send(new GetPublicKeyCommand({ KeyId: ecKey }))).PublicKey);
    const signed = Buffer.from(
      (await kms.send(new SignCommand({ KeyId: ecKey, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })))
        .Signature ?? [],
    );
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signed)).toBe(true);
    expect(
      (
        await kms.send(
          new VerifyCommand({ KeyId: ecKey, Message: message, Signature: signed, SigningAlgorithm: 'ECDSA_SHA_256' }),
        )
      ).SignatureValid,
    ).toBe(true);
    const digest = createHash('sha256').update(message).digest();
    const local = kms.send(
      new SignCommand({ KeyId: ecKey, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(await failure(local)).toMatchObject({ name: 'UnsupportedOperationException' });
  });
});

describe('who may sign', () => {
  it(
    'applies identity policies to kms:Sign, kms:Verify and kms:GetPublicKey, and keeps other accounts ' + 'out',
    async () => {
      const roleArn = await createRole(
        fixture,
        CUSTOMER,
        'digest-signer',
        trustAccount(PLATFORM),
        allowAll('kms:Sign', rsaKey),
      );
      const signer = new KMSClient(
        clientConfig(fixture, await assumeRole(fixture, await functionSession(fixture), roleArn)),
      );
      const algorithm: SigningAlgorithmSpec = 'RSASSA_PSS_SHA_256';
      const signature = (
        await signer.send(new SignCommand({ KeyId: rsaKey, Message: message, SigningAlgorithm: algorithm }))
      ).Signature;
      expect(
        await failure(
          signer.send(
            new VerifyCommand({ KeyId: rsaKey, Message: message, Signature: signature, SigningAlgorithm: algorithm }),
          ),
        ),
      ).toMatchObject({
        name: 'AccessDeniedException',
      });
      expect(await failure(signer.send(new GetPublicKeyCommand({ KeyId: rsaKey })))).toMatchObject({
        name: 'AccessDeniedException',
      });
      expect(
        await failure(
          signer.send(new SignCommand({ KeyId: ecKey, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })),
        ),
      ).toMatchObject({ name: 'AccessDeniedException' });
      const outsider = new KMSClient(clientConfig(fixture, rootCredentials(OTHER)));
      expect(
        await failure(outsider.send(new SignCommand({ KeyId: rsaKey, Message: message, SigningAlgorithm: algorithm }))),
      ).toMatchObject({ name: 'AccessDeniedException' });
    },
  );

  it('refuses a signing key for SSE-KMS with KMS.InvalidKeyUsageException', () => {
    const reopened = reopenKms(fixture);
    const root: Caller = {
      accountId: CUSTOMER,
      arn: `arn:aws:iam::${CUSTOMER}:root`,
      accessKeyId: `LOCAL${CUSTOMER}`,
      isRoot: true,
    };
    const viaS3 = { region: 'us-east-1', encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::bucket/key' } };
    expect(() => reopened.forS3.generateDataKey(root, rsaKey, viaS3)).toThrow(
      expect.objectContaining({ code: 'KMS.InvalidKeyUsageException', statusCode: 400 }),
    );
  });
});

describe('signing keys across a restart', () => {
  it('keeps the key pair: a signature made before verifies after, with the same public key', async () => {
    const before = await kms.send(
      new SignCommand({ KeyId: rsaKey, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }),
    );
    const restarted = await startAwsEndpoint({ port: 0, dataDir: fixture.dataDir, hooks: recordingHooks() });
    try {
      const client = new KMSClient({ ...clientConfig(fixture, rootCredentials(CUSTOMER)), endpoint: restarted.url });
      const after = await client.send(
        new VerifyCommand({
          KeyId: rsaKey,
          Message: message,
          Signature: before.Signature,
          SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
        }),
      );
      expect(after.SignatureValid).toBe(true);
      expect(
        publicKeyOf((await client.send(new GetPublicKeyCommand({ KeyId: rsaKey }))).PublicKey).equals(rsaPublicKey),
      ).toBe(true);
    } finally {
      await restarted.close();
    }
  });
});
