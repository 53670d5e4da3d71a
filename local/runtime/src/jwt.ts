/**
 * The local stand-in for the identity provider and for API Gateway's JWT authorizer, on jose.
 * One RS256 key pair per data dir, made on first use and published as a JWKS (what an issuer
 * serves at its jwks_uri); tokens are checked the way the HTTP API JWT authorizer checks them
 * (signature against the JWKS by `kid`, `alg`, `iss`, `aud`/`client_id`, `exp`, `nbf`, `iat`,
 * route scopes), so a token the local API accepts is one AWS would accept.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';

export const LOCAL_JWT_ISSUER = 'http://127.0.0.1:3000/local-issuer';
export const LOCAL_JWT_AUDIENCE = 's3-integrations';
const TOKEN_LIFETIME_SECONDS = 3600;

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Key id in every token header; the authorizer only trusts tokens naming this key. */
  kid: string;
  /** The public key as the issuer publishes it: the key set the authorizer verifies against. */
  jwks: JSONWebKeySet;
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
  const kid = createHash('sha256').update(der).digest('base64url').slice(0, 16);
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  return { privateKey, publicKey, kid, jwks };
}

/** Signs claims, filling the standard ones the caller left out (`iss`, `aud`, `iat`, `exp`). */
export async function signToken(
  claims: Claims,
  key: SigningKey,
  defaults: { issuer: string; audience: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // Claims given as undefined are left out of the token, as JSON leaves them out.
  const payload = JSON.parse(
    JSON.stringify({
      iss: defaults.issuer,
      aud: defaults.audience,
      iat: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      ...claims,
    }),
  ) as Claims;
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
}

const keySets = new WeakMap<SigningKey, JWTVerifyGetKey>();

/**
 * Checks a token as API Gateway's JWT authorizer does. jose verifies the signature (RS256 only,
 * the key found by `kid` in the JWKS), `iss`, `exp` and `nbf`; the rest is API Gateway's own:
 * `aud` or else `client_id`, an `iat` not in the future, the route's scopes. The reason is for
 * the www-authenticate header.
 */
export async function verifyToken(token: string, key: SigningKey, rules: VerifyRules): Promise<Verdict> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: 'the token is not a signed JWT' };
  }
  // Only RS256 with our key: this is what stops `alg: none` and HS256-with-the-public-key forgeries.
  if (header.alg !== 'RS256') return { ok: false, reason: `signing method ${String(header.alg)} is invalid` };
  if (header.kid === undefined) return { ok: false, reason: 'the token is not signed by a known key' };
  const keySet = keySets.get(key) ?? createLocalJWKSet(key.jwks);
  keySets.set(key, keySet);
  const now = rules.now ?? Math.floor(Date.now() / 1000);
  let claims: Claims;
  try {
    ({ payload: claims } = await jwtVerify(token, keySet, {
      algorithms: ['RS256'],
      issuer: rules.issuer,
      requiredClaims: ['exp'],
      currentDate: new Date(now * 1000),
    }));
  } catch (error) {
    return { ok: false, reason: rejectionReason(error) };
  }

  // API Gateway reads `client_id` only when `aud` is absent.
  const audienceClaim = claims.aud !== undefined ? claims.aud : claims.client_id;
  const audiences = Array.isArray(audienceClaim) ? audienceClaim : [audienceClaim];
  if (!audiences.some((audience) => typeof audience === 'string' && rules.audiences.includes(audience))) {
    return { ok: false, reason: 'the token does not have a valid audience' };
  }
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now))
    return { ok: false, reason: 'token used before issued' };
  if (rules.scopes && rules.scopes.length > 0) {
    const granted = tokenScopes(claims);
    if (!rules.scopes.some((scope) => granted.includes(scope)))
      return { ok: false, reason: 'the token does not have the required scope' };
  }
  return { ok: true, claims };
}

/** jose's refusals in the words API Gateway's authorizer uses. */
function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token is expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, string> = {
      iss: 'the token does not have a valid issuer',
      exp: 'token is expired',
      nbf: 'token is not valid yet',
      iat: 'token used before issued',
    };
    return byClaim[error.claim] ?? `the ${error.claim} claim is invalid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'the token is not signed by a known key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signing method is invalid';
  return 'the token is not a signed JWT';
}

/** The OAuth scopes of a token (`scope` is space-separated; `scp` may be a list). */
export function tokenScopes(claims: Claims): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  return Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : [];
}
