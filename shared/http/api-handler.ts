import middy from '@middy/core';
import type { z } from 'zod';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger, startLogKeys } from '#shared/logger';
import { callerFrom, type Caller } from '#shared/http/caller';
import { errorResponse } from '#shared/http/error-mapper';
import { jsonBodyOf, parseWith } from '#shared/http/request-parsing';
import type { ApiResult } from '#shared/http/responses';

type Schema = z.ZodType;
type Parsed<S> = S extends Schema ? z.infer<S> : undefined;

export interface RouteInput<P, Q, B> {
  path?: P;
  query?: Q;
  body?: B;
}

export interface ApiRequest<P, Q, B> {
  caller: Caller;
  path: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

/** Logs one line per request with ids only: never headers, tokens or bodies. */
const requestLogging = (): middy.MiddlewareObj<APIGatewayProxyEventV2, ApiResult> => ({
  before: ({ event, context }) => startLogKeys(context, { requestId: event.requestContext?.requestId }),
  after: ({ event, response }) => {
    logger.info('request', { route: event.routeKey, status: response?.statusCode });
  },
});

/** Placed last so that it sees every error, including those of the other middlewares. */
const errorMapping = (): middy.MiddlewareObj<APIGatewayProxyEventV2, ApiResult> => ({
  onError: (request) => {
    request.response = errorResponse(request.error);
    logger.info('request', { route: request.event.routeKey, status: request.response.statusCode });
  },
});

/**
 * Builds an authenticated API handler: reads the caller from the verified token, validates path,
 * query and body against their zod schemas (the same ones the OpenAPI document is made from),
 * then runs `run`. Invalid input never reaches the use case, so it never writes anything.
 */
export function apiHandler<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
  route: RouteInput<P, Q, B>,
  run: (request: ApiRequest<P, Q, B>) => Promise<ApiResult>,
) {
  return middy<APIGatewayProxyEventV2, ApiResult, Error, Context>()
    .use(requestLogging())
    .use(errorMapping())
    .handler(async (event) => {
      const caller = callerFrom(event);
      const request = {
        caller,
        path: route.path ? parseWith(route.path, event.pathParameters ?? {}, 'path') : undefined,
        query: route.query ? parseWith(route.query, event.queryStringParameters ?? {}, 'query string') : undefined,
        body: route.body ? parseWith(route.body, jsonBodyOf(event), 'request body') : undefined,
      } as ApiRequest<P, Q, B>;
      return run(request);
    });
}

/** For the few routes that need no caller (health, the OpenAPI document). */
export function publicHandler(run: () => Promise<ApiResult>) {
  return middy<APIGatewayProxyEventV2, ApiResult, Error, Context>()
    .use(requestLogging())
    .use(errorMapping())
    .handler(run);
}
