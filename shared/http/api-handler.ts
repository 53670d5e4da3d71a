/**
 * The handler of a route with a caller: `apiHandler('createIntegration', run)` reads the caller
 * from the verified token, validates path, query and body against the schemas the route table
 * (api-routes.ts) gives the operation, the same ones the OpenAPI document is made from, then runs
 * `run`. Invalid input never reaches the use case, so it never writes anything.
 */
import type * as z from 'zod';
import { routeOf, type ApiRoute, type CallerOperationId, type RouteOf } from '#shared/http/api-routes';
import { platformUserFrom, type PlatformUser } from '#shared/http/platform-user';
import { routeHandler, type RouteHandler } from '#shared/http/handler-chain';
import { jsonBodyOf, parseWith } from '#shared/http/request-parsing';
import type { ApiResult } from '#shared/http/responses';

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a route's handler gets: the caller, and path, query and body parsed with the route's schemas. */
export interface ApiRequest<R> {
  caller: PlatformUser;
  path: Parsed<R extends { pathParams: infer P } ? P : undefined>;
  query: Parsed<R extends { query: infer Q } ? Q : undefined>;
  body: Parsed<R extends { body: infer B } ? B : undefined>;
}

export function apiHandler<O extends CallerOperationId>(
  operationId: O,
  run: (request: ApiRequest<RouteOf<O>>) => Promise<ApiResult>,
): RouteHandler {
  const route: ApiRoute = routeOf(operationId);
  return routeHandler(operationId, async (event) => {
    const request = {
      caller: platformUserFrom(event),
      path: route.pathParams ? parseWith(route.pathParams, event.pathParameters ?? {}, 'path') : undefined,
      query: route.query ? parseWith(route.query, event.queryStringParameters ?? {}, 'query string') : undefined,
      body: route.body ? parseWith(route.body, jsonBodyOf(event), 'request body') : undefined,
    } as ApiRequest<RouteOf<O>>;
    return run(request);
  });
}
