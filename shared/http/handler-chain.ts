/**
 * What every HTTP API handler is made of, whatever its route (api-handler.ts for routes with a
 * caller, public-handler.ts for the few without): one log line per request with ids only, and
 * one error mapper, placed last so that it sees every error, including the other middlewares'.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { OperationId } from '#shared/http/api-routes';
import { triggeredBy } from '#shared/handler-trigger';
import { errorResponse } from '#shared/http/error-mapper';
import type { ApiResult } from '#shared/http/responses';
import { logger, startLogKeys } from '#shared/logger';

/**
 * A handler as Lambda calls it, the operation it serves and its trigger (tests match both to
 * serverless.yml).
 */
export type RouteHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, ApiResult, Error, Context> & {
  operationId: OperationId;
  trigger: 'http';
};

/** Never headers, tokens or bodies. */
const requestLogging = (): middy.MiddlewareObj<APIGatewayProxyEventV2, ApiResult> => ({
  before: ({ event, context }) => startLogKeys(context, { requestId: event.requestContext?.requestId }),
  after: ({ event, response }) => {
    logger.info('request', { route: event.routeKey, status: response?.statusCode });
  },
});

const errorMapping = (): middy.MiddlewareObj<APIGatewayProxyEventV2, ApiResult> => ({
  onError: (request) => {
    request.response = errorResponse(request.error);
    logger.info('request', { route: request.event.routeKey, status: request.response.statusCode });
  },
});

export function routeHandler(
  operationId: OperationId,
  run: (event: APIGatewayProxyEventV2) => Promise<ApiResult>,
): RouteHandler {
  const handler = middy<APIGatewayProxyEventV2, ApiResult, Error, Context>()
    .use(requestLogging())
    .use(errorMapping())
    .handler(run);
  return triggeredBy('http', Object.assign(handler, { operationId }));
}
