/**
 * KMS over the JSON 1.1 protocol (`X-Amz-Target: TrentService.<Operation>`): CreateKey,
 * DescribeKey, EnableKey, DisableKey, GenerateDataKey, Encrypt and Decrypt for symmetric keys
 * (kms-crypto.ts), Sign, Verify and GetPublicKey for asymmetric signing keys (kms-signing.ts),
 * GetKeyPolicy and PutKeyPolicy, plus `forS3.generateDataKey` and `forS3.decrypt`, the checks S3
 * runs before an SSE-KMS write and before it reads an SSE-KMS object or upload, and
 * `forRuntime.ensureKey`, which creates the AWS::KMS::Key resources of serverless.yml
 * (local/runtime/src/kms-keys.ts).
 *
 * Keys belong to the account that created them (`arn:aws:kms:<region>:<acct>:key/<uuid>`). Each
 * has a key policy (kms-key-policy.ts): the one CreateKey or PutKeyPolicy was given, else the
 * default key policy, which lets the key's account decide through IAM policies. Every call on a
 * key is authorized by the key policy together with the caller's identity and session policies, as
 * KMS does. Grants and aliases are not modelled. Key material is real (AES-256-GCM, encryption
 * context as additional data; RSA and EC key pairs) but is stored in clear in
 * `<dataDir>/_state/kms.json`: this is a local test double, not a vault.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsError, type Caller, type KmsForS3, type ServiceHandler } from '#endpoint/contract';
import { kmsConditions } from '#endpoint/kms-conditions';
import {
  base64Field,
  dataKeyLength,
  encryptionContext,
  encryptionContextOf,
  invalidCiphertext,
  keyIdOfBlob,
  open,
  seal,
} from '#endpoint/kms-crypto';
import { createKeyAccess, keyPolicyOperations, parseKeyPolicy } from '#endpoint/kms-key-policy';
import {
  createSigningMaterial,
  cryptographicMetadata,
  invalidKeyUsage,
  requestedSpecAndUsage,
  signingOperations,
  type AsymmetricMaterial,
  type KeyUsage,
} from '#endpoint/kms-signing';
import type { Authorizer } from '#endpoint/policy/authorize';
import { jsonOperation, optionalString, parseJsonBody, requiredString, sendJsonResult } from '#endpoint/protocols';
import { openStateFile } from '#endpoint/state-file';

interface StoredKey {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  description: string;
  createdAt: number; // epoch seconds
  enabled: boolean;
  /** Symmetric keys: base64, 32 bytes. */
  material?: string;
  /** Absent on keys stored before asymmetric keys existed: SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT. */
  keySpec?: string;
  keyUsage?: KeyUsage;
  asymmetric?: AsymmetricMaterial;
  /** The key policy as CreateKey or PutKeyPolicy was given it; absent: the default key policy. */
  policy?: string;
}

/** What the runtime asks for when serverless.yml declares an AWS::KMS::Key. */
export interface DeclaredKey {
  keyId: string;
  accountId: string;
  region: string;
  keySpec: string;
  keyUsage: string;
  description: string;
  enabled: boolean;
  /** The declared `KeyPolicy` as JSON; absent: the default key policy. */
  policy?: string;
}

const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/([0-9a-f-]{36})$/;

type Input = Record<string, unknown>;

export interface LocalKms {
  service: ServiceHandler;
  forS3: KmsForS3;
  forRuntime: { ensureKey(declared: DeclaredKey): Promise<void> };
}

export function createKms(deps: {
  dataDir: string;
  authorizer: Authorizer;
  now: () => number;
  /** Whether an IAM role exists: a key policy may only name principals that do. */
  roleExists: (arn: string) => boolean;
}): LocalKms {
  const file = openStateFile<{ keys: Record<string, StoredKey> }>(deps.dataDir, 'kms', () => ({ keys: {} }));
  const { keys } = file.state;
  const access = createKeyAccess(deps);

  /** The key policy, with the caller's identity and session policies, must allow `kms:<action>` on the key. */
  const allow = (caller: Caller, action: string, key: StoredKey, context = kmsConditions(caller)) =>
    access.authorizeKeyUse(caller, key, { action: `kms:${action}`, resource: key.arn, context });

  /** Key ids resolve in the caller's account and region; ARNs name the key exactly. */
  const resolve = (caller: Caller, region: string, keyId: string, notFound = 'NotFoundException'): StoredKey => {
    const arn = KEY_ARN.exec(keyId);
    const key = arn ? keys[arn[3] ?? ''] : keys[keyId];
    const visible = key && (arn ? key.arn === keyId : key.accountId === caller.accountId && key.region === region);
    if (!key || !visible) throw new AwsError(notFound, `Key '${keyId}' does not exist`, 400);
    return key;
  };

  const usable = (key: StoredKey, disabledCode = 'DisabledException') => {
    if (!key.enabled) throw new AwsError(disabledCode, `${key.arn} is disabled.`, 400);
    return key;
  };

  const specOf = (key: StoredKey) => key.keySpec ?? 'SYMMETRIC_DEFAULT';
  const usageOf = (key: StoredKey): KeyUsage => key.keyUsage ?? 'ENCRYPT_DECRYPT';

  const metadata = (key: StoredKey) => ({
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.createdAt,
    Enabled: key.enabled,
    Description: key.description,
    KeyState: key.enabled ? 'Enabled' : 'Disabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    ...cryptographicMetadata(specOf(key), usageOf(key)),
    MultiRegion: false,
  });

  /** Encrypt, Decrypt and GenerateDataKey need a symmetric encryption key. */
  const encryptionMaterial = (key: StoredKey, operation: string, code = 'InvalidKeyUsageException'): string => {
    if (usageOf(key) !== 'ENCRYPT_DECRYPT' || !key.material) {
      const refused = invalidKeyUsage(key.arn, usageOf(key), operation);
      throw new AwsError(code, refused.message, 400);
    }
    return key.material;
  };

  const newKey = async (
    keyId: string,
    accountId: string,
    region: string,
    spec: { keySpec: string; keyUsage: KeyUsage },
    description: string,
  ): Promise<StoredKey> => ({
    keyId,
    arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
    accountId,
    region,
    description,
    createdAt: Math.floor(deps.now() / 1000),
    enabled: true,
    keySpec: spec.keySpec,
    keyUsage: spec.keyUsage,
    ...(spec.keySpec === 'SYMMETRIC_DEFAULT'
      ? { material: randomBytes(32).toString('base64') }
      : { asymmetric: await createSigningMaterial(spec.keySpec) }),
  });

  const operations: Record<string, (caller: Caller, region: string, input: Input) => unknown> = {
    CreateKey: async (caller, region, input) => {
      deps.authorizer.authorize(caller, {
        action: 'kms:CreateKey',
        resource: '*',
        context: { 'aws:ResourceAccount': caller.accountId },
      });
      const keyId = randomUUID();
      const arn = `arn:aws:kms:${region}:${caller.accountId}:key/${keyId}`;
      const spec = requestedSpecAndUsage(input);
      const policy =
        input.Policy === undefined
          ? undefined
          : access.checkedPolicy(caller, { arn, accountId: caller.accountId }, input);
      const key = await newKey(keyId, caller.accountId, region, spec, optionalString(input, 'Description') ?? '');
      if (policy !== undefined) key.policy = policy;
      keys[key.keyId] = key;
      file.save();
      return { KeyMetadata: metadata(key) };
    },
    DescribeKey: (caller, region, input) => {
      const key = resolve(caller, region, requiredString(input, 'KeyId'));
      allow(caller, 'DescribeKey', key);
      return { KeyMetadata: metadata(key) };
    },
    EnableKey: (caller, region, input) =>
      setEnabled(caller, resolve(caller, region, requiredString(input, 'KeyId')), true),
    DisableKey: (caller, region, input) =>
      setEnabled(caller, resolve(caller, region, requiredString(input, 'KeyId')), false),
    GenerateDataKey: (caller, region, input) => {
      const key = resolve(caller, region, requiredString(input, 'KeyId'));
      allow(caller, 'GenerateDataKey', key, kmsConditions(caller, encryptionContextOf(input)));
      usable(key);
      encryptionMaterial(key, 'GenerateDataKey');
      const plaintext = randomBytes(dataKeyLength(input));
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString('base64'),
        CiphertextBlob: seal(key, plaintext, encryptionContext(input)).toString('base64'),
      };
    },
    Encrypt: (caller, region, input) => {
      const key = resolve(caller, region, requiredString(input, 'KeyId'));
      allow(caller, 'Encrypt', key, kmsConditions(caller, encryptionContextOf(input)));
      usable(key);
      encryptionMaterial(key, 'Encrypt');
      const plaintext = base64Field(input, 'Plaintext');
      if (plaintext.length < 1 || plaintext.length > 4096)
        throw new AwsError('ValidationException', 'Plaintext must be 1 to 4096 bytes.', 400);
      return {
        KeyId: key.arn,
        CiphertextBlob: seal(key, plaintext, encryptionContext(input)).toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    Decrypt: (caller, _region, input) => {
      const blob = base64Field(input, 'CiphertextBlob');
      const keyId = keyIdOfBlob(blob);
      const key = keyId === undefined ? undefined : keys[keyId];
      if (!key) throw invalidCiphertext();
      const requestedKey = optionalString(input, 'KeyId');
      if (requestedKey !== undefined && requestedKey !== key.arn && requestedKey !== key.keyId) {
        throw new AwsError(
          'IncorrectKeyException',
          'The key ID in the request does not identify the key that encrypted the ciphertext.',
          400,
        );
      }
      allow(caller, 'Decrypt', key, kmsConditions(caller, encryptionContextOf(input)));
      usable(key);
      return {
        KeyId: key.arn,
        Plaintext: open(key, blob, encryptionContext(input)).toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    ...keyPolicyOperations(
      access,
      (caller, region, input) => resolve(caller, region, requiredString(input, 'KeyId')),
      () => file.save(),
    ),
    ...signingOperations((caller, region, input, action) => {
      const key = resolve(caller, region, requiredString(input, 'KeyId'));
      allow(caller, action, key);
      usable(key);
      return {
        arn: key.arn,
        keySpec: specOf(key),
        keyUsage: usageOf(key),
        ...(key.asymmetric ? { asymmetric: key.asymmetric } : {}),
      };
    }),
  };

  function setEnabled(caller: Caller, key: StoredKey, enabled: boolean): Record<string, never> {
    allow(caller, enabled ? 'EnableKey' : 'DisableKey', key);
    key.enabled = enabled;
    file.save();
    return {};
  }

  const service: ServiceHandler = async (request, response) => {
    const operation = operations[jsonOperation(request.raw.headers['x-amz-target'], 'TrentService')];
    if (!operation)
      throw new AwsError('UnknownOperationException', 'The operation is not supported by the local endpoint.', 400);
    const input = parseJsonBody(await request.readBody());
    sendJsonResult(response, 'json-1.1', await operation(request.caller, request.region, input));
  };

  /** What S3 asks of KMS for an SSE-KMS object, as the caller, through S3 (kms:ViaService). */
  const throughS3 = (
    action: 'GenerateDataKey' | 'Decrypt',
    caller: Caller,
    keyArn: string,
    via: { region: string; encryptionContext: Record<string, string> },
  ) => {
    // S3 resolves key ids against the bucket; ARNs are what bucket encryption stores in practice.
    const key = KEY_ARN.test(keyArn) ? keys[KEY_ARN.exec(keyArn)?.[3] ?? ''] : keys[keyArn];
    if (!key || (KEY_ARN.test(keyArn) && key.arn !== keyArn))
      throw new AwsError('KMS.NotFoundException', `Invalid keyId ${keyArn}`, 400);
    allow(
      caller,
      action,
      key,
      kmsConditions(caller, via.encryptionContext, { viaService: `s3.${via.region}.amazonaws.com` }),
    );
    usable(key, 'KMS.DisabledException');
    encryptionMaterial(key, action, 'KMS.InvalidKeyUsageException');
  };

  const forS3: KmsForS3 = {
    generateDataKey: (caller, keyArn, via) => throughS3('GenerateDataKey', caller, keyArn, via),
    decrypt: (caller, keyArn, via) => throughS3('Decrypt', caller, keyArn, via),
  };

  const forRuntime: LocalKms['forRuntime'] = {
    /**
     * Creates the key with the id the runtime derived from the stack, or keeps the one a
     * previous start created (same material, so old signatures still verify); its description,
     * state and key policy follow serverless.yml. The policy is checked as CloudFormation's
     * CreateKey checks it (its roles must exist), less the lockout check: no caller makes it.
     */
    async ensureKey(declared) {
      const spec = requestedSpecAndUsage({ KeySpec: declared.keySpec, KeyUsage: declared.keyUsage });
      const existing = keys[declared.keyId];
      if (existing && (specOf(existing) !== spec.keySpec || usageOf(existing) !== spec.keyUsage)) {
        throw new Error(
          `KMS key ${declared.keyId} exists with another key spec or usage; delete ` +
            `${join(deps.dataDir, '_state', 'kms.json')} to start afresh.`,
        );
      }
      if (declared.policy !== undefined) parseKeyPolicy(declared.policy, deps.roleExists);
      const key =
        existing ?? (await newKey(declared.keyId, declared.accountId, declared.region, spec, declared.description));
      key.description = declared.description;
      key.enabled = declared.enabled;
      if (declared.policy === undefined) delete key.policy;
      else key.policy = declared.policy;
      keys[key.keyId] = key;
      file.save();
    },
  };

  return { service, forS3, forRuntime };
}
