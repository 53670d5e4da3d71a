/**
 * RSA signatures over a digest computed by the caller (KMS Sign/Verify with `MessageType:
 * DIGEST`). node:crypto signs messages, hashing them itself, so the two encodings of PKCS #1
 * v2.2 (RFC 8017) are done here and only the raw RSA operation is left to node:crypto:
 * EMSA-PKCS1-v1_5 (section 9.2: DigestInfo, then the PKCS #1 type 1 padding) and EMSA-PSS
 * (section 9.1, MGF1 with the same hash, salt as long as the digest, as KMS does).
 * Signatures made here verify with node:crypto's own verify of the message, and back.
 */
import {
  constants,
  createHash,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';

export type DigestHash = 'sha256' | 'sha384' | 'sha512';

/** The DER DigestInfo prefix of each hash (RFC 8017, section 9.2, note 1). */
const DIGEST_INFO: Record<DigestHash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export const digestLength = (hash: DigestHash): number => createHash(hash).digest().length;

export function signRsaDigest(
  privateKey: KeyObject,
  padding: 'pkcs1' | 'pss',
  hash: DigestHash,
  digest: Buffer,
): Buffer {
  if (padding === 'pkcs1') {
    return privateEncrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([DIGEST_INFO[hash], digest]),
    );
  }
  const { modBits, bytes } = sizeOf(privateKey);
  const encoded = emsaPssEncode(digest, modBits - 1, hash);
  return privateEncrypt(
    { key: privateKey, padding: constants.RSA_NO_PADDING },
    Buffer.concat([Buffer.alloc(bytes - encoded.length), encoded]),
  );
}

export function verifyRsaDigest(
  publicKey: KeyObject,
  padding: 'pkcs1' | 'pss',
  hash: DigestHash,
  digest: Buffer,
  signature: Buffer,
): boolean {
  const { modBits, bytes } = sizeOf(publicKey);
  if (signature.length !== bytes) return false;
  let opened: Buffer;
  try {
    opened = publicDecrypt(
      { key: publicKey, padding: padding === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_NO_PADDING },
      signature,
    );
  } catch {
    return false; // not a valid signature of this key: the padding did not decode
  }
  if (padding === 'pkcs1') return equal(opened, Buffer.concat([DIGEST_INFO[hash], digest]));
  const emLength = Math.ceil((modBits - 1) / 8);
  if (opened.subarray(0, bytes - emLength).some((byte) => byte !== 0)) return false;
  return emsaPssVerify(digest, opened.subarray(bytes - emLength), modBits - 1, hash);
}

function emsaPssEncode(digest: Buffer, emBits: number, hash: DigestHash): Buffer {
  const hashLength = digestLength(hash);
  const emLength = Math.ceil(emBits / 8);
  const salt = randomBytes(hashLength);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLength - 2 * hashLength - 2), Buffer.from([1]), salt]);
  const masked = xor(db, mgf1(h, db.length, hash));
  masked[0] = (masked[0] as number) & (0xff >> (8 * emLength - emBits));
  return Buffer.concat([masked, h, Buffer.from([0xbc])]);
}

function emsaPssVerify(digest: Buffer, encoded: Buffer, emBits: number, hash: DigestHash): boolean {
  const hashLength = digestLength(hash);
  const emLength = encoded.length;
  if (emLength < 2 * hashLength + 2 || encoded[emLength - 1] !== 0xbc) return false;
  const masked = encoded.subarray(0, emLength - hashLength - 1);
  const h = encoded.subarray(emLength - hashLength - 1, emLength - 1);
  const topBits = 0xff >> (8 * emLength - emBits);
  if (((masked[0] as number) & ~topBits) !== 0) return false;
  const db = xor(masked, mgf1(h, masked.length, hash));
  db[0] = (db[0] as number) & topBits;
  const separator = emLength - 2 * hashLength - 2;
  if (db.subarray(0, separator).some((byte) => byte !== 0) || db[separator] !== 1) return false;
  const salt = db.subarray(db.length - hashLength);
  return equal(createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest(), h);
}

/** MGF1 (RFC 8017, appendix B.2.1). */
function mgf1(seed: Buffer, length: number, hash: DigestHash): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * digestLength(hash) < length; counter += 1) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, index) => byte ^ (b[index] as number)));
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function sizeOf(key: KeyObject): { modBits: number; bytes: number } {
  const modBits = key.asymmetricKeyDetails?.modulusLength;
  if (!modBits) throw new Error('not an RSA key');
  return { modBits, bytes: Math.ceil(modBits / 8) };
}
