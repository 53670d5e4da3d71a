/**
 * AWS Signature Version 4 verification, written out step by step from the AWS specification so
 * a reviewer can follow it: rebuild the canonical request from what arrived on the wire, derive
 * the signing key from the secret we hold for the access key, recompute the signature and
 * compare in constant time. Nothing the client sends is trusted before that comparison.
 *
 * Covers header auth (`Authorization: AWS4-HMAC-SHA256 ...`) and presigned URLs
 * (`X-Amz-Signature` query). The chunk signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies
 * are checked later, while the body streams, by aws-chunked.ts with the `chunkSigning` returned
 * here (the signing key never leaves this module).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Accounts } from '#endpoint/accounts';
import type { ChunkSigning } from '#endpoint/aws-chunked';
import type { Caller } from '#endpoint/contract';
import { AuthFailure } from '#endpoint/auth-errors';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface ParsedAuth {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presigned: boolean;
  /** Presigned URLs only. */
  expiresSeconds?: number;
  /** Presigned URLs only: the payload hash the URL committed to (S3 default UNSIGNED-PAYLOAD). */
  presignedPayloadHash?: string;
  securityToken?: string;
}

/** Reads the signature parameters from the Authorization header or the presigned query. */
export function parseAuth(rawUrl: string, headers: Record<string, string | string[] | undefined>): ParsedAuth {
  const header = single(headers.authorization);
  if (header) return parseAuthorizationHeader(header, headers);
  const query = new URL(rawUrl, 'http://local').searchParams;
  if (query.has('X-Amz-Signature')) return parsePresignedQuery(query);
  throw new AuthFailure('missing', 'The request is not signed.');
}

function parseAuthorizationHeader(header: string, headers: Record<string, string | string[] | undefined>): ParsedAuth {
  const match = /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/.exec(
    header.trim(),
  );
  if (!match?.[1] || !match[2] || !match[3]) {
    throw new AuthFailure('malformed', 'The Authorization header is not a valid AWS Signature Version 4 header.');
  }
  return {
    ...parseCredential(match[1]),
    signedHeaders: match[2].split(';'),
    signature: match[3],
    amzDate: single(headers['x-amz-date']) ?? '',
    presigned: false,
    securityToken: single(headers['x-amz-security-token']),
  };
}

function parsePresignedQuery(query: URLSearchParams): ParsedAuth {
  const expires = Number(query.get('X-Amz-Expires'));
  if (
    query.get('X-Amz-Algorithm') !== ALGORITHM ||
    !Number.isInteger(expires) ||
    expires < 1 ||
    expires > MAX_PRESIGN_SECONDS
  ) {
    throw new AuthFailure('malformed', 'The presigned URL has an invalid X-Amz-Algorithm or X-Amz-Expires.');
  }
  const signature = query.get('X-Amz-Signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature))
    throw new AuthFailure('malformed', 'The presigned URL has an invalid X-Amz-Signature.');
  return {
    ...parseCredential(query.get('X-Amz-Credential') ?? ''),
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
    signature,
    amzDate: query.get('X-Amz-Date') ?? '',
    presigned: true,
    expiresSeconds: expires,
    presignedPayloadHash: query.get('X-Amz-Content-Sha256') ?? undefined,
    securityToken: query.get('X-Amz-Security-Token') ?? undefined,
  };
}

function parseCredential(credential: string): Pick<ParsedAuth, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/');
  const [accessKeyId, scopeDate, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !scopeDate ||
    !region ||
    !service ||
    terminator !== 'aws4_request' ||
    !/^\d{8}$/.test(scopeDate)
  ) {
    throw new AuthFailure(
      'malformed',
      'The credential scope must be <key>/<yyyymmdd>/<region>/<service>/aws4_request.',
    );
  }
  return { accessKeyId, scopeDate, region, service };
}

export interface VerifyInput {
  auth: ParsedAuth;
  method: string;
  rawUrl: string;
  /** `IncomingMessage.rawHeaders`: names and values as sent, duplicates preserved. */
  rawHeaders: string[];
  /** The hex SHA-256 of the body, or the literal value the client signed (e.g. UNSIGNED-PAYLOAD). */
  payloadHash: string;
  accounts: Accounts;
}

export interface VerifiedRequest {
  caller: Caller;
  /** Lets the body decoder verify chunk signatures chained from this request's signature. */
  chunkSigning: ChunkSigning;
}

/** Verifies the request signature and the credentials behind it; returns the caller. */
export function verifySignature(input: VerifyInput): VerifiedRequest {
  const { auth, accounts } = input;
  const credential = accounts.credentialFor(auth.accessKeyId);
  if (!credential)
    throw new AuthFailure('unknown-key', 'The AWS access key id you provided does not exist in our records.');
  if (!/^\d{8}T\d{6}Z$/.test(auth.amzDate) || auth.amzDate.slice(0, 8) !== auth.scopeDate) {
    throw new AuthFailure('malformed', 'X-Amz-Date must be yyyyMMddTHHmmssZ and match the credential scope date.');
  }
  if (!auth.signedHeaders.includes('host')) throw new AuthFailure('malformed', 'The host header must be signed.');
  if (auth.service === 's3' && !auth.presigned) requireSignedAmzHeaders(auth, input.rawHeaders);

  const signingKey = deriveSigningKey(credential.secret, auth);
  const expected = computeSignature(input, signingKey);
  const presented = Buffer.from(auth.signature, 'hex');
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
    throw new AuthFailure(
      'signature',
      'The request signature we calculated does not match the signature you provided. Check your key and ' +
        'signing method.',
    );
  }
  checkTime(auth, accounts.now());
  if (credential.kind === 'session') {
    if (!accounts.sessionTokenMatches(credential.session, auth.securityToken)) {
      throw new AuthFailure('invalid-token', 'The security token included in the request is invalid.');
    }
    if (credential.session.expiresAt <= accounts.now()) {
      throw new AuthFailure('expired-token', 'The security token included in the request is expired.');
    }
  }
  return {
    caller: credential.caller,
    chunkSigning: {
      amzDate: auth.amzDate,
      credentialScope: credentialScope(auth),
      seedSignature: auth.signature,
      sign: (stringToSign) => hmac(signingKey, stringToSign).toString('hex'),
    },
  };
}

function checkTime(auth: ParsedAuth, now: number): void {
  const d = auth.amzDate;
  const signedAt = Date.UTC(
    +d.slice(0, 4),
    +d.slice(4, 6) - 1,
    +d.slice(6, 8),
    +d.slice(9, 11),
    +d.slice(11, 13),
    +d.slice(13, 15),
  );
  if (auth.presigned) {
    if (signedAt - now > MAX_SKEW_MS) throw new AuthFailure('skew', 'The presigned URL is not valid yet.');
    if (now > signedAt + (auth.expiresSeconds ?? 0) * 1000)
      throw new AuthFailure('presign-expired', 'Request has expired.');
    return;
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    throw new AuthFailure(
      'skew',
      `The difference between the request time (${auth.amzDate}) and the server's time is too large.`,
    );
  }
}

/** S3 refuses requests whose x-amz-* headers are not covered by the signature. */
function requireSignedAmzHeaders(auth: ParsedAuth, rawHeaders: string[]): void {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    if (name.startsWith('x-amz-') && !auth.signedHeaders.includes(name)) {
      throw new AuthFailure('unsigned-headers', 'There were headers present in the request which were not signed.');
    }
  }
}

function credentialScope(auth: ParsedAuth): string {
  return `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
}

function deriveSigningKey(secret: string, auth: ParsedAuth): Buffer {
  let key: Buffer = hmac(`AWS4${secret}`, auth.scopeDate);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return key;
}

function computeSignature(input: VerifyInput, signingKey: Buffer): Buffer {
  const { auth } = input;
  const canonicalRequest = [
    input.method,
    canonicalUri(input.rawUrl, auth.service),
    canonicalQuery(input.rawUrl, auth.presigned),
    canonicalHeaders(input.rawHeaders, auth.signedHeaders),
    auth.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, auth.amzDate, credentialScope(auth), sha256Hex(canonicalRequest)].join('\n');
  return hmac(signingKey, stringToSign);
}

/**
 * S3 signs the path with each segment URI-encoded once; the other services normalise the path
 * and encode it a second time (what the SDK's `uriEscapePath` does).
 */
function canonicalUri(rawUrl: string, service: string): string {
  const path = rawUrl.split('?')[0] || '/';
  if (service === 's3')
    return path
      .split('/')
      .map((segment) => escapeUri(decode(segment)))
      .join('/');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(rawUrl: string, presigned: boolean): string {
  const queryStart = rawUrl.indexOf('?');
  if (queryStart < 0) return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawUrl.slice(queryStart + 1).split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const key = decode(equals < 0 ? part : part.slice(0, equals));
    const value = equals < 0 ? '' : decode(part.slice(equals + 1));
    if (presigned && key === 'X-Amz-Signature') continue;
    pairs.push([escapeUri(key), escapeUri(value)]);
  }
  pairs.sort(([keyA, valueA], [keyB, valueB]) => compare(keyA, keyB) || compare(valueA, valueB));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function canonicalHeaders(rawHeaders: string[], signedHeaders: string[]): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    values.set(name, [...(values.get(name) ?? []), (rawHeaders[i + 1] ?? '').trim().replace(/\s+/g, ' ')]);
  }
  return signedHeaders
    .map((name) => {
      const headerValues = values.get(name);
      if (!headerValues) throw new AuthFailure('malformed', `The signed header ${name} is missing from the request.`);
      return `${name}:${headerValues.join(',')}\n`;
    })
    .join('');
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new AuthFailure('malformed', 'The request URL contains an invalid percent-encoding.');
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
