/**
 * The HTTP API's routes and JWT authorizers, read from the functions' `httpApi` events and
 * `provider.httpApi.authorizers`, and API Gateway's route selection: the most specific path wins
 * (literal segment over `{param}` over `{proxy+}`), then an exact method over `ANY`.
 */
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER } from '#runtime/jwt';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import type { FunctionSpec } from '#runtime/service-model';

export interface JwtAuthorizer {
  name: string;
  issuer: string;
  audiences: string[];
  /** Only `$request.header.<name>` is supported: it is what serverless.yml uses for bearer tokens. */
  headerName: string;
}

export interface HttpRoute {
  routeKey: string;
  method: string; // upper case, or ANY
  path: string; // the template, or '$default'
  fn: FunctionSpec;
  authorizer?: JwtAuthorizer;
  scopes: string[];
}

export interface RouteMatch {
  route: HttpRoute;
  pathParameters?: Record<string, string>;
}

export function readHttpRoutes(cloudFormation: LocalCloudFormation): HttpRoute[] {
  const { service } = cloudFormation;
  const httpApi = isMap(service.provider.httpApi) ? service.provider.httpApi : {};
  if (httpApi.payload !== undefined && String(httpApi.payload) !== '2.0') {
    throw new Error(
      `provider.httpApi.payload ${String(httpApi.payload)}: the local HTTP API speaks payload format 2.0 only.`,
    );
  }
  const authorizers = readJwtAuthorizers(cloudFormation);
  const routes: HttpRoute[] = [];
  for (const fn of service.functions) {
    for (const [index, event] of fn.events.entries()) {
      if (!('httpApi' in event)) continue;
      const where = `functions.${fn.key}.events[${index}].httpApi`;
      const spec = event.httpApi;
      const { method, path } = routeOf(spec, where);
      const authorizerRef = isMap(spec) ? spec.authorizer : undefined;
      const authorizerName = isMap(authorizerRef) ? authorizerRef.name : authorizerRef;
      let authorizer: JwtAuthorizer | undefined;
      if (authorizerName !== undefined && authorizerName !== null) {
        authorizer = authorizers.get(String(authorizerName));
        if (!authorizer)
          throw new Error(
            `${where}.authorizer: no authorizer named ${String(authorizerName)} under provider.httpApi.authorizers.`,
          );
      } else if (isMap(authorizerRef)) {
        throw new Error(`${where}.authorizer: locally an authorizer is referenced by name.`);
      }
      const scopes =
        isMap(authorizerRef) && Array.isArray(authorizerRef.scopes) ? authorizerRef.scopes.map(String) : [];
      const routeKey = path === '$default' ? '$default' : `${method} ${path}`;
      if (routes.some((route) => route.routeKey === routeKey))
        throw new Error(`${where}: the route ${routeKey} is declared twice.`);
      routes.push({ routeKey, method, path, fn, ...(authorizer ? { authorizer } : {}), scopes });
    }
  }
  return routes;
}

function routeOf(spec: Yaml | undefined, where: string): { method: string; path: string } {
  if (spec === '*') return { method: 'ANY', path: '$default' };
  if (typeof spec === 'string') {
    const [method = '', path = ''] = spec.trim().split(/\s+/);
    return normalizeRoute(method, path, where);
  }
  if (isMap(spec)) return normalizeRoute(String(spec.method ?? ''), String(spec.path ?? ''), where);
  throw new Error(`${where} must be "*", "METHOD /path" or {method, path}.`);
}

function normalizeRoute(method: string, path: string, where: string): { method: string; path: string } {
  if (path === '*') return { method: 'ANY', path: '$default' };
  if (!path.startsWith('/')) throw new Error(`${where}: the path "${path}" must start with "/".`);
  return { method: method === '*' ? 'ANY' : method.toUpperCase(), path };
}

/** The JWT authorizers of `provider.httpApi.authorizers`, by name. */
export function readJwtAuthorizers(cloudFormation: LocalCloudFormation): Map<string, JwtAuthorizer> {
  const httpApi = cloudFormation.service.provider.httpApi;
  const block = isMap(httpApi) ? httpApi.authorizers : undefined;
  const out = new Map<string, JwtAuthorizer>();
  if (!isMap(block)) return out;
  for (const [name, raw] of Object.entries(block)) {
    const where = `provider.httpApi.authorizers.${name}`;
    const spec = cloudFormation.resolve(raw, where);
    if (!isMap(spec)) throw new Error(`${where} must be a mapping.`);
    if (spec.type !== undefined && String(spec.type).toLowerCase() !== 'jwt') {
      throw new Error(`${where}: only JWT authorizers run locally, not "${String(spec.type)}".`);
    }
    const identitySource = String(spec.identitySource ?? '$request.header.Authorization');
    const header = /^\$request\.header\.([A-Za-z0-9-]+)$/.exec(identitySource);
    if (!header?.[1]) throw new Error(`${where}.identitySource must be $request.header.<name>.`);
    const audiences = Array.isArray(spec.audience)
      ? spec.audience.map(String)
      : spec.audience
        ? [String(spec.audience)]
        : [];
    if (typeof spec.issuerUrl !== 'string' || audiences.length === 0)
      throw new Error(`${where} needs issuerUrl and audience.`);
    out.set(name, { name, issuer: spec.issuerUrl, audiences, headerName: header[1].toLowerCase() });
  }
  return out;
}

/**
 * The `iss` and `aud` a locally minted token gets: those of the authorizer named jwtAuthorizer
 * (or the only one), else the local defaults.
 */
export function tokenDefaults(cloudFormation: LocalCloudFormation): { issuer: string; audience: string } {
  const authorizers = readJwtAuthorizers(cloudFormation);
  const authorizer = authorizers.get('jwtAuthorizer') ?? [...authorizers.values()][0];
  return { issuer: authorizer?.issuer ?? LOCAL_JWT_ISSUER, audience: authorizer?.audiences[0] ?? LOCAL_JWT_AUDIENCE };
}

/** API Gateway's route selection for one request. */
export function matchRoute(routes: HttpRoute[], method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/').slice(1);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.path === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const matched = matchPath(route.path, segments);
    if (!matched) continue;
    const score = [...matched.score, route.method === 'ANY' ? 0 : 1];
    if (!best || compareScores(score, best.score) > 0) {
      best = { match: { route, ...(matched.parameters ? { pathParameters: matched.parameters } : {}) }, score };
    }
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.path === '$default');
  return fallback ? { route: fallback } : undefined;
}

function matchPath(
  template: string,
  segments: string[],
): { score: number[]; parameters?: Record<string, string> } | undefined {
  const parts = template.split('/').slice(1);
  const parameters: Record<string, string> = {};
  const score: number[] = [];
  for (const [index, part] of parts.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1]) {
      const rest = segments.slice(index);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      parameters[greedy[1]] = decode(rest.join('/'));
      score.push(0);
      return { score, parameters };
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const variable = /^\{(.+)\}$/.exec(part);
    if (variable?.[1]) {
      if (segment === '') return undefined;
      parameters[variable[1]] = decode(segment);
      score.push(1);
    } else if (decode(segment) === part) {
      score.push(2);
    } else {
      return undefined;
    }
  }
  if (segments.length !== parts.length) return undefined;
  return Object.keys(parameters).length > 0 ? { score, parameters } : { score };
}

function compareScores(left: number[], right: number[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? -1) - (right[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
