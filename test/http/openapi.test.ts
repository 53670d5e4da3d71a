/**
 * docs/openapi.json, the published description of the HTTP API, generated from the route table by
 * scripts/write-openapi.ts: the checked-in copy must match the generator, and it must document
 * exactly the routes serverless.yml deploys, with the JWT authorizer on every non-public one, and
 * declare the Retry-After header of every 429.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '#shared/http/api-routes';
import { openApiDocument } from '#shared/http/openapi';
import { loadService } from '@s3-integrations/local-runtime/service-model';

type HttpApiSpec = { method: string; path: string; authorizer?: { name: string } };

/** The routes serverless.yml deploys, read by the same loader the local runtime uses. */
function deployedRoutes() {
  return loadService('serverless.yml')
    .functions.flatMap((fn) => fn.events)
    .flatMap((event) => ('httpApi' in event ? [event.httpApi as unknown as HttpApiSpec] : []))
    .map((route) => `${route.method} ${route.path}${route.authorizer ? ' (jwt)' : ''}`)
    .sort();
}

describe('OpenAPI document', () => {
  it('is checked in as generated: run `npx tsx scripts/write-openapi.ts` after changing a schema', () => {
    const checkedIn = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('describes exactly the routes serverless.yml deploys, with the JWT authorizer on every non-public one', () => {
    const documented = apiRoutes
      .map((route) => `${route.method} ${route.path}${route.access === 'public' ? '' : ' (jwt)'}`)
      .sort();
    expect(deployedRoutes()).toEqual(documented);
  });
});

describe('OpenAPI 429 answers', () => {
  it('declare the Retry-After header that every 429 carries (shared/http/error-mapper.ts)', () => {
    const tooMany = Object.entries(openApiDocument().paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { responses: Record<string, { headers?: object }> }>).flatMap(
        ([method, operation]) => {
          const answer = operation.responses['429'];
          return answer ? [{ route: `${method} ${path}`, headers: Object.keys(answer.headers ?? {}) }] : [];
        },
      ),
    );
    expect(tooMany.length).toBeGreaterThan(0);
    for (const { route, headers } of tooMany) expect(headers, route).toContain('Retry-After');
  });
});
