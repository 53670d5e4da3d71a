/**
 * The local HTTP API: a node:http server that does what API Gateway does in front of the
 * functions. Routes come from the functions' `httpApi` events; routes with a JWT authorizer get
 * the token checked before the function runs (serverless-offline skips the signature, we do not).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { LocalFunctions } from '#runtime/functions';
import {
  buildHttpEvent,
  gatewayMessage,
  httpAnswerFromResult,
  internalServerError,
  type HttpAnswer,
} from '#runtime/http-api-event';
import { preflightAnswer, readCorsRules, withCorsHeaders, type CorsRules } from '#runtime/http-api-cors';
import { matchRoute, readHttpRoutes, type HttpRoute } from '#runtime/http-api-routes';
import { verifyToken, type Claims, type SigningKey } from '#runtime/jwt';

/** API Gateway's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpApiOptions {
  cloudFormation: LocalCloudFormation;
  /** Local-only routes answered before the product's (the console's files, the local sign-in); undefined passes on. */
  localRoutes?: (method: string, pathname: string, body: Buffer) => Promise<HttpAnswer | undefined>;
  functions: LocalFunctions;
  signingKey: SigningKey;
  port: number;
  host?: string;
}

export interface HttpApi {
  url: string;
  routes: HttpRoute[];
  cors?: CorsRules;
  close(): Promise<void>;
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const routes = readHttpRoutes(options.cloudFormation);
  const cors = readCorsRules(options.cloudFormation);
  const server = createServer((request, response) => {
    const method = (request.method ?? 'GET').toUpperCase();
    const preflight = cors && preflightAnswer(cors, method, request.headers);
    (preflight ? Promise.resolve(preflight) : answer(request, routes, options))
      .catch((error: unknown) => {
        console.error(
          `[local] HTTP API failed on ${request.method} ${request.url}: ` +
            `${error instanceof Error ? error.message : String(error)}`,
        );
        return internalServerError();
      })
      .then((result) => send(response, preflight || !cors ? result : withCorsHeaders(cors, request.headers, result)));
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port, host);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    routes,
    ...(cors ? { cors } : {}),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, routes: HttpRoute[], options: HttpApiOptions): Promise<HttpAnswer> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = (request.method ?? 'GET').toUpperCase();
  if (options.localRoutes && /^\/(console|local)(\/|$)/.test(url.pathname)) {
    const local = await options.localRoutes(method, url.pathname, (await readBody(request)) ?? Buffer.alloc(0));
    if (local) return local;
  }
  const match = matchRoute(routes, method, url.pathname);
  if (!match) {
    request.resume();
    return gatewayMessage(404, 'Not Found');
  }
  const body = await readBody(request);
  if (!body) return gatewayMessage(413, 'Request Entity Too Large');

  let claims: Claims | undefined;
  const { authorizer } = match.route;
  if (authorizer) {
    const header = request.headers[authorizer.headerName];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return unauthorized(match.route.scopes.join(' '), 'the identity source is missing');
    // The authorizer takes the token with or without the `Bearer ` scheme, as API Gateway does.
    const token = value.replace(/^Bearer\s+/i, '').trim();
    const verdict = await verifyToken(token, options.signingKey, {
      issuer: authorizer.issuer,
      audiences: authorizer.audiences,
      scopes: match.route.scopes,
    });
    if (!verdict.ok) return unauthorized(match.route.scopes.join(' '), verdict.reason);
    claims = verdict.claims;
  }

  const event = buildHttpEvent(request, url, body, match, claims, options.cloudFormation.service.accountId);
  try {
    const result = await options.functions.invoke(match.route.fn, event, {
      trigger: `httpApi ${match.route.routeKey}`,
    });
    const mapped = httpAnswerFromResult(result);
    mapped.headers['apigw-requestid'] = event.requestContext.requestId;
    return mapped;
  } catch {
    // The function's error is logged by the invoker; the caller learns nothing about it, as in AWS.
    return internalServerError();
  }
}

function unauthorized(scope: string, reason: string): HttpAnswer {
  return gatewayMessage(401, 'Unauthorized', {
    'www-authenticate': `Bearer scope="${scope}" error="invalid_token" error_description="${reason}"`,
  });
}

/** Reads the body, or answers undefined once it passes the limit (the rest is drained, not kept). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: HttpAnswer): void {
  if (response.headersSent) return;
  response.writeHead(result.statusCode, { ...result.headers, 'content-length': String(result.body.length) });
  response.end(result.body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
