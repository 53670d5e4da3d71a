/**
 * The handler of a route that needs no caller (health, the OpenAPI document, the regions). It
 * reads nothing of the request, so it needs no schema, and its bundle carries no route table.
 */
import type { PublicOperationId } from '#shared/http/api-routes';
import { routeHandler, type RouteHandler } from '#shared/http/handler-chain';
import type { ApiResult } from '#shared/http/responses';

export const publicHandler = (operationId: PublicOperationId, run: () => Promise<ApiResult>): RouteHandler =>
  routeHandler(operationId, run);
