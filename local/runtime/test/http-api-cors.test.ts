/**
 * The local HTTP API's CORS, as API Gateway applies provider.httpApi.cors: preflights answered by the API, allowed
 * origins and exposed headers on answers. The fixture service allows https://console.example.com and every
 * http:// origin (local/runtime/test/fixtures/runtime/serverless.yml).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApi, type HttpApi } from '#runtime/http-api';
import { loadOrCreateSigningKey } from '#runtime/jwt';
import { loadFixtureRuntime } from './support/fixture-runtime';

let api: HttpApi;

beforeAll(async () => {
  const runtime = await loadFixtureRuntime();
  const key = loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), 'cors-')), 'jwt'));
  api = await startHttpApi({
    cloudFormation: runtime.cloudFormation,
    functions: runtime.functions,
    signingKey: key,
    port: 0,
  });
});

afterAll(() => api.close());

const preflight = (path: string, origin: string, method = 'POST') =>
  fetch(`${api.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('local HTTP API CORS, as API Gateway applies provider.httpApi.cors', () => {
  it('answers a preflight itself with the configured headers, for any path, when the origin is allowed', async () => {
    for (const path of ['/private/a/b', '/no/such/route']) {
      const response = await preflight(path, 'https://console.example.com');
      expect(response.status).toBe(204);
      expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
        'access-control-allow-origin': 'https://console.example.com',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '600',
      });
    }
    // A scheme wildcard (`http://*`) echoes the origin.
    expect((await preflight('/public/x', 'http://127.0.0.1:5173')).headers.get('access-control-allow-origin')).toBe(
      'http://127.0.0.1:5173',
    );
  });

  it('answers a preflight from another origin without CORS headers, so the browser refuses the request', async () => {
    const response = await preflight('/private/a/b', 'https://evil.example.com');
    expect(response.status).toBe(204);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it("adds the allowed origin and exposed headers to answers, replacing the function's own CORS headers", async () => {
    const allowed = await fetch(`${api.url}/public/there`, { headers: { origin: 'https://console.example.com' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('retry-after');
    // The authorizer's 401 carries them too, so a page can tell an expired session from a network failure.
    const unauthorized = await fetch(`${api.url}/private/a`, {
      method: 'POST',
      headers: { origin: 'https://console.example.com' },
    });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe('https://console.example.com');

    const other = await fetch(`${api.url}/public/there`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await fetch(`${api.url}/public/there`);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends an OPTIONS request that is not a preflight to the routes, as without CORS', async () => {
    const response = await fetch(`${api.url}/public/there`, { method: 'OPTIONS' });
    expect(response.status).toBe(404);
  });
});
