/**
 * The local stand-in for the identity provider and for API Gateway's JWT authorizer, with
 * node:crypto only. One RS256 key pair per data dir, made on first use; tokens are checked the way
 * the HTTP API JWT authorizer checks them (signature, `alg`, `kid`, `iss`, `aud`/`client_id`,
 * `exp`, `nbf`, `iat`, route scopes), so a token the local API accepts is one AWS would accept.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_JWT_ISSUER = 'http://127.0.0.1:3000/local-issuer';
export const LOCAL_JWT_AUDIENCE = 's3-integrations';
const TOKEN_LIFETIME_SECONDS = 3600;

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Key id in every token header; the authorizer only trusts tokens naming this key. */
  kid: string;
}

export type Claims = Record<string, unknown>;

export interface VerifyRules {
  issuer: string;
  audiences: string[];
  /** The route's `authorizationScopes`: the token needs at least one of them. */
  scopes?: string[];
  now?: number;
}

export type Verdict = { ok: true; claims: Claims } | { ok: false; reason: string };

/** Where a data dir keeps the key pair. */
export function jwtKeyDir(dataDir: string, stackName: string): string {
  return join(dataDir, stackName, 'jwt');
}

/** Loads the key pair of a data dir, creating it on first use. */
export function loadOrCreateSigningKey(keyDir: string): SigningKey {
  const privatePath = join(keyDir, 'private.pem');
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  let pem: string;
  try {
    pem = readFileSync(privatePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      // `wx`: if `npm start` and `npm run token` race on first use, both end up with the winner's key.
      writeFileSync(privatePath, pem, { mode: 0o600, flag: 'wx' });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      pem = readFileSync(privatePath, 'utf8');
    }
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKey, kid: createHash('sha256').update(der).digest('base64url').slice(0, 16) };
}

/** Signs claims, filling the standard ones the caller left out (`iss`, `aud`, `iat`, `exp`). */
export function signToken(claims: Claims, key: SigningKey, defaults: { issuer: string; audience: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: defaults.issuer, aud: defaults.audience, iat: now, exp: now + TOKEN_LIFETIME_SECONDS, ...claims };
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
}

/** Checks a token as API Gateway's JWT authorizer does. The reason is for the www-authenticate header. */
export function verifyToken(token: string, key: SigningKey, rules: VerifyRules): Verdict {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    return { ok: false, reason: 'the token is not a signed JWT' };
  }
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims) return { ok: false, reason: 'the token is not valid JSON' };
  // Only RS256 with our key: this is what stops `alg: none` and HS256-with-the-public-key forgeries.
  if (header.alg !== 'RS256') return { ok: false, reason: `signing method ${String(header.alg)} is invalid` };
  if (header.kid !== key.kid) return { ok: false, reason: 'the token is not signed by a known key' };
  const signatureValid = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key.publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!signatureValid) return { ok: false, reason: 'signature is invalid' };

  const now = rules.now ?? Math.floor(Date.now() / 1000);
  if (claims.iss !== rules.issuer) return { ok: false, reason: 'the token does not have a valid issuer' };
  // API Gateway reads `client_id` only when `aud` is absent.
  const audienceClaim = claims.aud !== undefined ? claims.aud : claims.client_id;
  const audiences = Array.isArray(audienceClaim) ? audienceClaim : [audienceClaim];
  if (!audiences.some((audience) => typeof audience === 'string' && rules.audiences.includes(audience))) {
    return { ok: false, reason: 'the token does not have a valid audience' };
  }
  if (typeof claims.exp !== 'number' || claims.exp <= now) return { ok: false, reason: 'token is expired' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return { ok: false, reason: 'token is not valid yet' };
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now)) return { ok: false, reason: 'token used before issued' };
  if (rules.scopes && rules.scopes.length > 0) {
    const granted = tokenScopes(claims);
    if (!rules.scopes.some((scope) => granted.includes(scope))) return { ok: false, reason: 'the token does not have the required scope' };
  }
  return { ok: true, claims };
}

/** The OAuth scopes of a token (`scope` is space-separated; `scp` may be a list). */
export function tokenScopes(claims: Claims): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  return Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : [];
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
