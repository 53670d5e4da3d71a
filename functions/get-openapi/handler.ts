/** GET /v1/openapi.json: the OpenAPI document, built once per container from shared/http/api-routes.ts. */
import { publicHandler } from '#shared/http/public-handler';
import { openApiDocument } from '#shared/http/openapi';
import { json } from '#shared/http/responses';

const document = openApiDocument();

export const handler = publicHandler('getOpenApi', async () => json(200, document));
