/**
 * The symmetric side of the local KMS: ciphertext blobs (AES-256-GCM under the key's material,
 * the encryption context bound as additional data, the key id inside, as KMS ciphertexts carry
 * theirs) and the checks of the request fields that carry them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AwsError } from '#endpoint/contract';
import { optionalString, requiredString } from '#endpoint/protocols';

type Input = Record<string, unknown>;

/** What seals and opens a blob: the key's id and its 32 bytes of material, base64. */
interface SymmetricKey {
  keyId: string;
  material?: string;
}

const CIPHERTEXT_MAGIC = Buffer.from('LKMS1');

/** The id of the key a blob names, or undefined for a blob this KMS did not make. */
export function keyIdOfBlob(blob: Buffer): string | undefined {
  if (!blob.subarray(0, CIPHERTEXT_MAGIC.length).equals(CIPHERTEXT_MAGIC)) return undefined;
  return blob.subarray(CIPHERTEXT_MAGIC.length, CIPHERTEXT_MAGIC.length + 36).toString('latin1');
}

export function seal(key: SymmetricKey, plaintext: Buffer, context: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key.material ?? '', 'base64'), iv).setAAD(context);
  const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([CIPHERTEXT_MAGIC, Buffer.from(key.keyId, 'latin1'), iv, cipher.getAuthTag(), encrypted]);
}

export function open(key: SymmetricKey, blob: Buffer, context: Buffer): Buffer {
  const offset = CIPHERTEXT_MAGIC.length + 36;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(key.material ?? '', 'base64'),
      blob.subarray(offset, offset + 12),
    ).setAAD(context);
    decipher.setAuthTag(blob.subarray(offset + 12, offset + 28));
    return Buffer.concat([decipher.update(blob.subarray(offset + 28)), decipher.final()]);
  } catch {
    throw invalidCiphertext(); // wrong encryption context or tampered blob: KMS says the same
  }
}

export function invalidCiphertext(): AwsError {
  return new AwsError(
    'InvalidCiphertextException',
    'The ciphertext is invalid or was not encrypted under this encryption context.',
    400,
  );
}

/** The request's EncryptionContext, checked: a map of strings to strings. */
export function encryptionContextOf(input: Input): Record<string, string> {
  const context = input.EncryptionContext ?? {};
  if (
    typeof context !== 'object' ||
    context === null ||
    Array.isArray(context) ||
    Object.values(context).some((value) => typeof value !== 'string')
  ) {
    throw new AwsError('ValidationException', 'EncryptionContext must map strings to strings.', 400);
  }
  return context as Record<string, string>;
}

/** Encryption context as canonical bytes (sorted keys), bound to the ciphertext as GCM AAD. */
export function encryptionContext(input: Input): Buffer {
  const entries = Object.entries(encryptionContextOf(input)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries));
}

export function dataKeyLength(input: Input): number {
  const spec = optionalString(input, 'KeySpec');
  const bytes = input.NumberOfBytes;
  if ((spec === undefined) === (bytes === undefined))
    throw new AwsError('ValidationException', 'Specify exactly one of KeySpec or NumberOfBytes.', 400);
  if (spec === 'AES_256') return 32;
  if (spec === 'AES_128') return 16;
  if (typeof bytes === 'number' && Number.isInteger(bytes) && bytes >= 1 && bytes <= 1024) return bytes;
  throw new AwsError('ValidationException', 'KeySpec must be AES_256 or AES_128, NumberOfBytes 1..1024.', 400);
}

export function base64Field(input: Input, field: string): Buffer {
  const value = requiredString(input, field);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) throw new AwsError('ValidationException', `${field} must be base64.`, 400);
  return bytes;
}
