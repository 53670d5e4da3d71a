/**
 * The local HTTP API as API Gateway runs it: payload 2.0 events, function answers, routes, the JWT authorizer
 * (and the forged tokens it refuses) and body limits.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpApi, type HttpApi } from '#runtime/http-api';
import { LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER, loadOrCreateSigningKey, signToken, type SigningKey } from '#runtime/jwt';
import { callsOf, fixtureCalls } from './fixtures/runtime/functions/calls';
import { loadFixtureRuntime } from './support/fixture-runtime';

let api: HttpApi;
let key: SigningKey;

const defaults = { issuer: LOCAL_JWT_ISSUER, audience: LOCAL_JWT_AUDIENCE };
const claims = { sub: 'user-1', org: 'org-1', orgRole: 'owner', projects: { 'proj-1': 'admin' } };

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** `Bearer <token>` for claims signed with the local key. */
const bearer = async (extra: Record<string, unknown> = {}) =>
  `Bearer ${await signToken({ ...claims, ...extra }, key, defaults)}`;

function postPrivate(authorization?: string, body = '{"a":1}'): Promise<Response> {
  return fetch(`${api.url}/private/a/b?x=1&x=2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  });
}

beforeAll(async () => {
  const runtime = await loadFixtureRuntime();
  key = loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), 'http-api-')), 'jwt'));
  api = await startHttpApi({
    cloudFormation: runtime.cloudFormation,
    functions: runtime.functions,
    signingKey: key,
    port: 0,
  });
});

afterAll(() => api.close());

beforeEach(() => {
  fixtureCalls().length = 0;
});

describe('local HTTP API', () => {
  it('hands the function an API Gateway payload 2.0 event', async () => {
    const response = await fetch(`${api.url}/public/hello%20there?b=2&a=1&a=3`, {
      headers: { 'X-Custom': 'yes', cookie: 'c1=v1; c2=v2' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-fixture')).toBe('echo');
    const event = (await response.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /public/{name}',
      rawPath: '/public/hello%20there',
      rawQueryString: 'b=2&a=1&a=3',
      queryStringParameters: { a: '1,3', b: '2' },
      pathParameters: { name: 'hello there' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/public/hello%20there' },
        routeKey: 'GET /public/{name}',
        stage: '$default',
      },
    });
    expect(event.headers['x-custom']).toBe('yes');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(callsOf('echo')[0]?.remainingMs).toBeGreaterThan(2000);
  });

  it('answers a plain object as 200 JSON', async () => {
    const response = await fetch(`${api.url}/public/plain`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('answers 404 for an unknown route without calling a function', async () => {
    const response = await fetch(`${api.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    const wrongMethod = await fetch(`${api.url}/public/x`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(fixtureCalls()).toHaveLength(0);
  });

  it('passes the verified claims of a valid token, flattened to strings as API Gateway does', async () => {
    const response = await postPrivate(await bearer({ scope: 'read write' }));
    expect(response.status).toBe(200);
    const event = (await response.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.routeKey).toBe('POST /private/{proxy+}');
    expect(event.pathParameters).toEqual({ proxy: 'a/b' });
    expect(event.body).toBe('{"a":1}');
    expect(event.requestContext.authorizer.jwt.claims).toMatchObject({
      sub: 'user-1',
      org: 'org-1',
      orgRole: 'owner',
      projects: 'map[proj-1:admin]',
      iss: LOCAL_JWT_ISSUER,
      aud: LOCAL_JWT_AUDIENCE,
    });
    expect(typeof event.requestContext.authorizer.jwt.claims.exp).toBe('string');
    expect(event.requestContext.authorizer.jwt.scopes).toEqual(['read', 'write']);
  });

  const now = Math.floor(Date.now() / 1000);
  const rejected: Array<[string, () => Promise<string | undefined> | string | undefined]> = [
    ['no Authorization header', () => undefined],
    ['an empty bearer', () => 'Bearer '],
    [
      'a forged payload',
      async () => {
        const [header, , signature] = (await signToken(claims, key, defaults)).split('.');
        return `Bearer ${header}.${encode({
          ...claims,
          orgRole: 'owner',
          org: 'other-org',
          iss: LOCAL_JWT_ISSUER,
          aud: LOCAL_JWT_AUDIENCE,
          exp: now + 600,
        })}.${signature}`;
      },
    ],
    [
      'a signature by another key with our kid',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${encode({
          ...claims,
          iss: LOCAL_JWT_ISSUER,
          aud: LOCAL_JWT_AUDIENCE,
          exp: now + 600,
        })}`;
        return `Bearer ${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
      },
    ],
    [
      'alg none',
      () =>
        `Bearer ${encode({ alg: 'none', kid: key.kid })}.${encode({
          ...claims,
          iss: LOCAL_JWT_ISSUER,
          aud: LOCAL_JWT_AUDIENCE,
          exp: now + 600,
        })}.`,
    ],
    [
      'alg none with a junk signature',
      () =>
        `Bearer ${encode({ alg: 'none', kid: key.kid })}.${encode({
          ...claims,
          iss: LOCAL_JWT_ISSUER,
          aud: LOCAL_JWT_AUDIENCE,
          exp: now + 600,
        })}.AAAA`,
    ],
    [
      'HS256 keyed with the public key',
      () => {
        const input = `${encode({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${encode({
          ...claims,
          iss: LOCAL_JWT_ISSUER,
          aud: LOCAL_JWT_AUDIENCE,
          exp: now + 600,
        })}`;
        const secret = key.publicKey.export({ type: 'spki', format: 'pem' });
        return `Bearer ${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
    ],
    ['a wrong issuer', () => bearer({ iss: 'http://127.0.0.1:3000/other-issuer' })],
    ['a wrong audience', () => bearer({ aud: ['another-api'] })],
    ['an expired token', () => bearer({ iat: now - 7200, exp: now - 60 })],
    ['a token without exp', () => bearer({ exp: undefined })],
    ['a token not valid yet (nbf)', () => bearer({ nbf: now + 600 })],
    ['a token issued in the future (iat)', () => bearer({ iat: now + 600 })],
    ['not a JWT', () => 'Bearer not-a-token'],
  ];

  it.each(rejected)('answers 401 without calling the function for %s', async (_case, authorization) => {
    const response = await postPrivate(await authorization());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect(fixtureCalls()).toHaveLength(0);
  });

  it('accepts an audience list that contains the configured audience', async () => {
    const response = await postPrivate(
      await signToken({ ...claims, aud: ['another-api', LOCAL_JWT_AUDIENCE] }, key, defaults),
    );
    expect(response.status).toBe(200);
  });

  it('answers 413 for a body over 10 MB without calling the function', async () => {
    const response = await postPrivate(await bearer(), 'x'.repeat(10 * 1024 * 1024 + 1));
    expect(response.status).toBe(413);
    expect(fixtureCalls()).toHaveLength(0);
  });
});
