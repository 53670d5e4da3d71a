/** The OpenAPI 3.1 document of the HTTP API, generated from the route table and its zod schemas. */
import * as z from 'zod';
import { apiRoutes, type ApiRoute, type ResponseHeader } from '#shared/http/api-routes';
import { NOTIFICATION_SOURCE, NOTIFICATIONS } from '#shared/notifications/notifications';

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string().optional(), issue: z.string(), expected: z.string().optional() })),
  }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return rest;
}

function parameters(route: ApiRoute) {
  const of = (where: 'path' | 'query', object?: z.ZodObject) =>
    Object.entries(object?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: where,
      required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success,
      schema: jsonSchema(schema as z.ZodType, 'input'),
    }));
  return [...of('path', route.pathParams), ...of('query', route.query)];
}

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function errorResponses(route: ApiRoute) {
  if (route.access === 'public') return {};
  return {
    400: error('Invalid input; nothing was written'),
    401: error('Missing or invalid token'),
    403: error('Not allowed, or the feature is not available to this project'),
    404: error('No such resource, or no access to it'),
    ...(route.access === 'write' ? { 409: error('Conflicts with the current state') } : {}),
  };
}

function headers(declared: Record<string, ResponseHeader> | undefined) {
  if (!declared) return {};
  return {
    headers: Object.fromEntries(
      Object.entries(declared).map(([name, { description, schema }]) => [
        name,
        { description, schema: jsonSchema(schema, 'output') },
      ]),
    ),
  };
}

function operation(route: ApiRoute) {
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, { description, schema, headers: declared }]) => [
      status,
      {
        ...(schema
          ? { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } }
          : Number(status) >= 400
            ? error(description)
            : { description }),
        ...headers(declared),
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : {}),
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
        }
      : {}),
    // A route's own description of an error status (e.g. which codes its 409 means) wins over the generic one.
    responses: { ...errorResponses(route), ...responses },
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of apiRoutes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'S3 integrations API',
      version: '1.0.0',
      description: 'Connect customer-owned S3 buckets, validate them, export backups and forward audit logs.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(errorBody, 'output'), ...eventSchemas() },
    },
    paths,
    // The service's own events (docs/notifications.md): not HTTP, so an extension beside the paths.
    'x-events': {
      source: NOTIFICATION_SOURCE,
      bus: "the service's event bus (serverless.yml PlatformEventBus)",
      detailTypes: Object.fromEntries(
        Object.keys(NOTIFICATIONS).map((detailType) => [
          detailType,
          { detail: { $ref: `#/components/schemas/${schemaName(detailType)}` } },
        ]),
      ),
    },
  };
}

/** `Integration Status Changed` -> `IntegrationStatusChanged`. */
const schemaName = (detailType: string) => detailType.replaceAll(' ', '');

function eventSchemas() {
  return Object.fromEntries(
    Object.entries(NOTIFICATIONS).map(([detailType, schema]) => [schemaName(detailType), jsonSchema(schema, 'output')]),
  );
}
