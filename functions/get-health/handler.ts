import { publicHandler } from '#shared/http/public-handler';
import { json } from '#shared/http/responses';

/** Liveness for load balancers and the local stack: no auth, no dependencies. */
export const handler = publicHandler('getHealth', async () => json(200, { status: 'ok' }));
