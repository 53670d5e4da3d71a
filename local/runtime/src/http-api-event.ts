/**
 * The HTTP API payload format 2.0: the event API Gateway hands a Lambda function, and how it turns
 * the function's result back into an HTTP answer.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { tokenScopes, type Claims } from '#runtime/jwt';
import type { RouteMatch } from '#runtime/http-api-routes';

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

export function buildHttpEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  match: RouteMatch,
  claims: Claims | undefined,
  accountId: string,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = request.headers.cookie
    ?.split(';')
    .map((cookie) => cookie.trim())
    .filter(Boolean);
  const query: Record<string, string> = {};
  // Own properties only: a parameter named `constructor` must not meet Object.prototype's.
  for (const [name, value] of url.searchParams)
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  // API Gateway passes text as text and anything else base64-encoded.
  const isText = body.length === 0 || contentType === '' || TEXT_CONTENT_TYPE.test(contentType);
  const now = new Date();
  const requestId = randomBytes(12).toString('base64url');
  const event = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId,
      apiId: 'local',
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: flattenClaims(claims ?? {}), scopes: claims ? tokenScopes(claims) : [] },
      },
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0] ?? '',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
  if (!claims) delete (event.requestContext as { authorizer?: unknown }).authorizer;
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/**
 * API Gateway hands claims to the function as strings: numbers and booleans as their text, lists
 * as `[a b]`, objects as `map[k:v]`. Structured claims (like `projects`) must therefore be read
 * from the verified token, not from here; reproducing this keeps code that works locally working in AWS.
 */
export function flattenClaims(claims: Claims): Record<string, string> {
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, flattenValue(value)]));
}

function flattenValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flattenValue).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([left], [right]) => left.localeCompare(right));
    return `map[${entries.map(([key, item]) => `${key}:${flattenValue(item)}`).join(' ')}]`;
  }
  return String(value);
}

/** API Gateway's `10/Mar/2020:00:03:59 +0000` request time. */
function formatRequestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * Payload 2.0 result mapping: an object with `statusCode` is a response; anything else is JSON
 * for a 200. A malformed response is API Gateway's 500, not the function's problem to explain.
 */
export function httpAnswerFromResult(result: unknown): HttpAnswer {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const response = result as {
    statusCode: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const statusCode = Number(response.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return internalServerError();
  const headers: Record<string, string | string[]> = {};
  if (response.headers !== undefined && response.headers !== null && typeof response.headers === 'object') {
    for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = String(value);
  }
  if (Array.isArray(response.cookies) && response.cookies.length > 0)
    headers['set-cookie'] = response.cookies.map(String);
  const text = response.body === undefined || response.body === null ? '' : String(response.body);
  const body = response.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
  return { statusCode, headers, body };
}

export function gatewayMessage(statusCode: number, message: string, headers: Record<string, string> = {}): HttpAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export function internalServerError(): HttpAnswer {
  return gatewayMessage(500, 'Internal Server Error');
}
