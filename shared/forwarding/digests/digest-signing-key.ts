/**
 * The platform's digest signing key: an asymmetric KMS key (RSA, SIGN_VERIFY) declared in
 * serverless.yml (AuditLogDigestKey). The digest writer may only Sign with it; the API function
 * that serves the public key may only GetPublicKey. The private key never leaves KMS.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { kms } from '#shared/aws/clients';
import { config } from '#shared/config';
import { SIGNING_ALGORITHM } from '#shared/forwarding/digests/digest-document';

const keyArn = () => {
  const arn = config().AUDIT_LOG_DIGEST_KEY_ARN;
  if (!arn) throw new Error('Invalid configuration: AUDIT_LOG_DIGEST_KEY_ARN is not set');
  return arn;
};

/** RSASSA-PSS SHA-256 over `body` (KMS signs its SHA-256, MessageType DIGEST); base64. */
export async function signDigest(body: Uint8Array): Promise<{ signature: string; keyArn: string }> {
  const { Signature } = await kms.send(
    new SignCommand({
      KeyId: keyArn(),
      Message: createHash('sha256').update(body).digest(),
      MessageType: 'DIGEST',
      SigningAlgorithm: SIGNING_ALGORITHM,
    }),
  );
  if (!Signature) throw new Error('KMS Sign returned no signature');
  return { signature: Buffer.from(Signature).toString('base64'), keyArn: keyArn() };
}

/** The ARN digests name as their key (no KMS call: the signer is not allowed GetPublicKey). */
export const digestKeyArn = () => keyArn();

export interface DigestPublicKey {
  keyArn: string;
  keyFingerprint: string;
  signingAlgorithm: typeof SIGNING_ALGORITHM;
  publicKeyPem: string;
}

let cached: Promise<DigestPublicKey> | undefined;

/** The public half, as GET /v1/audit-log-digests/public-key serves it (cached per container: it never changes). */
export function digestPublicKey(): Promise<DigestPublicKey> {
  cached ??= (async () => {
    const { PublicKey, KeyId } = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn() }));
    if (!PublicKey) throw new Error('KMS GetPublicKey returned no key');
    const der = Buffer.from(PublicKey);
    const publicKeyPem = createPublicKey({ key: der, format: 'der', type: 'spki' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
    return {
      keyArn: KeyId ?? keyArn(),
      keyFingerprint: createHash('sha256').update(der).digest('hex'),
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKeyPem,
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
