import { publicHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';

/** Liveness for load balancers and the local stack: no auth, no dependencies. */
export const handler = publicHandler(async () => json(200, { status: 'ok' }));
