/**
 * GET /v1/regions: the regions the platform serves, public like a price list, so a sign-up page can show them
 * too.
 */
import { publicHandler } from '#shared/http/public-handler';
import { json } from '#shared/http/responses';
import { servedRegions } from '#shared/integrations/use-cases';

export const handler = publicHandler('listRegions', async () => json(200, servedRegions()));
