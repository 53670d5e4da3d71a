import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apiRoutes } from '#shared/http/api-routes';
import { openApiDocument } from '#shared/http/openapi';

type HttpApiEvent = { httpApi?: { method: string; path: string; authorizer?: { name: string } } };

/** The routes serverless.yml deploys, read with CloudFormation tags left as plain values. */
function deployedRoutes() {
  const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If', '!Equals', '!Select'].map((tag) => ({
    tag,
    resolve: (value: unknown) => value,
  }));
  const service = parse(readFileSync('serverless.yml', 'utf8'), { customTags }) as {
    functions: Record<string, { events?: HttpApiEvent[] }>;
  };
  return Object.values(service.functions)
    .flatMap((fn) => fn.events ?? [])
    .flatMap((event) => (event.httpApi ? [event.httpApi] : []))
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
