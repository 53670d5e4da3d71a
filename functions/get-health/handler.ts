/** GET /v1/health: liveness for load balancers and the local stack, with no auth and no dependencies. */
import { publicHandler } from '#shared/http/public-handler';
import { json } from '#shared/http/responses';

export const handler = publicHandler('getHealth', async () => json(200, { status: 'ok' }));
