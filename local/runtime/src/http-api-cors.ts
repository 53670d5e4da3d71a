/**
 * API Gateway's CORS for HTTP APIs, from `provider.httpApi.cors` of serverless.yml: with CORS
 * configured, API Gateway answers every preflight itself (an OPTIONS request with Origin and
 * Access-Control-Request-Method, whatever the routes), adds the configured headers to the answers
 * of requests whose Origin is allowed, and drops the CORS headers a function returns.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { HttpAnswer } from '#runtime/http-api-event';
import { isMap, type Yaml } from '#runtime/serverless-yaml';

export interface CorsRules {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  exposedResponseHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

/** The Serverless Framework's values for `cors: true`. */
const FRAMEWORK_DEFAULTS: CorsRules = {
  allowedOrigins: ['*'],
  allowedHeaders: [
    'Content-Type',
    'X-Amz-Date',
    'Authorization',
    'X-Api-Key',
    'X-Amz-Security-Token',
    'X-Amz-User-Agent',
    'X-Amzn-Trace-Id',
  ],
  allowedMethods: ['OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  exposedResponseHeaders: [],
  allowCredentials: false,
};

export function readCorsRules(cloudFormation: LocalCloudFormation): CorsRules | undefined {
  const httpApi = cloudFormation.service.provider.httpApi;
  const raw = isMap(httpApi) ? httpApi.cors : undefined;
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (raw === true) return FRAMEWORK_DEFAULTS;
  const spec = cloudFormation.resolve(raw, 'provider.httpApi.cors');
  if (!isMap(spec)) throw new Error('provider.httpApi.cors must be true or a mapping.');
  const list = (value: Yaml | undefined, fallback: string[]) =>
    Array.isArray(value) ? value.map(String) : value === undefined ? fallback : [String(value)];
  return {
    allowedOrigins: list(spec.allowedOrigins, FRAMEWORK_DEFAULTS.allowedOrigins),
    allowedHeaders: list(spec.allowedHeaders, FRAMEWORK_DEFAULTS.allowedHeaders),
    allowedMethods: list(spec.allowedMethods, FRAMEWORK_DEFAULTS.allowedMethods),
    exposedResponseHeaders: list(spec.exposedResponseHeaders, []),
    allowCredentials: spec.allowCredentials === true,
    ...(spec.maxAge !== undefined ? { maxAge: Number(spec.maxAge) } : {}),
  };
}

/** `*`, an exact origin, or a scheme wildcard such as `https://*`. */
function allowedOrigin(rules: CorsRules, origin: string): string | undefined {
  for (const allowed of rules.allowedOrigins) {
    if (allowed === '*') return '*';
    if (allowed.endsWith('://*') && origin.startsWith(allowed.slice(0, -1))) return origin;
    if (allowed.toLowerCase() === origin.toLowerCase()) return origin;
  }
  return undefined;
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** API Gateway's own answer to a preflight; undefined when the request is not one. */
export function preflightAnswer(
  rules: CorsRules,
  method: string,
  headers: IncomingHttpHeaders,
): HttpAnswer | undefined {
  const origin = header(headers, 'origin');
  const requestedMethod = header(headers, 'access-control-request-method');
  if (method !== 'OPTIONS' || !origin || !requestedMethod) return undefined;
  const answer: HttpAnswer = { statusCode: 204, headers: {}, body: Buffer.alloc(0) };
  const allowOrigin = allowedOrigin(rules, origin);
  if (!allowOrigin) return answer; // no CORS headers: the browser refuses the real request
  answer.headers['access-control-allow-origin'] = allowOrigin;
  answer.headers['access-control-allow-methods'] = rules.allowedMethods.join(',');
  if (rules.allowedHeaders.length > 0)
    answer.headers['access-control-allow-headers'] = rules.allowedHeaders.join(',').toLowerCase();
  if (rules.allowCredentials) answer.headers['access-control-allow-credentials'] = 'true';
  if (rules.maxAge !== undefined) answer.headers['access-control-max-age'] = String(rules.maxAge);
  return answer;
}

/** The configured CORS headers on an answer, in place of any the function set. */
export function withCorsHeaders(rules: CorsRules, requestHeaders: IncomingHttpHeaders, answer: HttpAnswer): HttpAnswer {
  for (const name of Object.keys(answer.headers)) if (name.startsWith('access-control-')) delete answer.headers[name];
  const origin = header(requestHeaders, 'origin');
  const allowOrigin = origin ? allowedOrigin(rules, origin) : undefined;
  if (!allowOrigin) return answer;
  answer.headers['access-control-allow-origin'] = allowOrigin;
  if (rules.allowCredentials) answer.headers['access-control-allow-credentials'] = 'true';
  if (rules.exposedResponseHeaders.length > 0)
    answer.headers['access-control-expose-headers'] = rules.exposedResponseHeaders.join(',').toLowerCase();
  return answer;
}
