/**
 * The ids the service makes up (integrations, replay jobs, external IDs): random, unguessable and
 * URL-safe.
 */
import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** `integ-` + 20 base32 characters (100 random bits): unguessable, URL-safe, fixed length. */
export const newIntegrationId = () => `integ-${base32(randomBytes(13), 20)}`;

/** `replay-` + 20 base32 characters: the id of an audit-log replay job. */
export const newReplayId = () => `replay-${base32(randomBytes(13), 20)}`;

/**
 * External IDs carry 192 random bits. They are generated here and nowhere else: the API never
 * accepts one from a caller, and a tombstone item keeps a deleted integration's id from coming back.
 * The alphabet fits the sts:ExternalId pattern [\w+=,.@:/-].
 */
export const newExternalId = () => `s3i-${randomBytes(24).toString('base64url')}`;
