/**
 * Route schemas are named once, in the route table: each handler names its operation and takes
 * that route's schemas from the table. This holds the last link: the function serverless.yml
 * deploys for a route runs a handler built for that route's operation, so a handler can never
 * validate with another route's schemas.
 */
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '#shared/http/api-routes';
import { loadService } from '@s3-integrations/local-runtime/service-model';

type HttpApiSpec = { method: string; path: string };

const deployed = loadService('serverless.yml').functions.flatMap((fn) =>
  fn.events.flatMap((event) => ('httpApi' in event ? [{ fn, route: event.httpApi as unknown as HttpApiSpec }] : [])),
);

describe('route handlers', () => {
  it('every deployed route runs the handler of its own operation', async () => {
    expect(deployed.length).toBe(apiRoutes.length);
    for (const { fn, route } of deployed) {
      const operationId = apiRoutes.find(
        (candidate) => candidate.method === route.method && candidate.path === route.path,
      )?.operationId;
      const module = (await import(fn.modulePath)) as Record<string, { operationId?: string }>;
      expect({ function: fn.key, operationId: module[fn.exportName]?.operationId }).toEqual({
        function: fn.key,
        operationId,
      });
    }
  });
});
