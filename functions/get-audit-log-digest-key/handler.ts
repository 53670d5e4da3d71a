import { publicHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { digestPublicKey } from '#shared/forwarding/digests/digest-signing-key';

/** The public key of the audit-log digests: public, so that a customer's verifier needs no token. */
export const handler = publicHandler(async () => json(200, await digestPublicKey()));
