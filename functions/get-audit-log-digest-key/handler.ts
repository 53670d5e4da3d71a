/** The public key of the audit-log digests: public, so that a customer's verifier needs no token. */
import { publicHandler } from '#shared/http/public-handler';
import { json } from '#shared/http/responses';
import { digestPublicKey } from '#shared/forwarding/use-cases';

export const handler = publicHandler('getAuditLogDigestKey', async () => json(200, await digestPublicKey()));
