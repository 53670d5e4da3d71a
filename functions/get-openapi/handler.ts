import { publicHandler } from '#shared/http/api-handler';
import { openApiDocument } from '#shared/http/openapi';
import { json } from '#shared/http/responses';

const document = openApiDocument();

export const handler = publicHandler(async () => json(200, document));
