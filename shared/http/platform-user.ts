/**
 * Who is calling the API: a user of the data platform, from the JWT claims (docs/product-contract.md §2). Named
 * PlatformUser, not Caller: the local AWS endpoint's Caller is an AWS principal
 * (local/aws-endpoint/src/contract.ts). API Gateway's JWT authorizer has already verified the token's signature,
 * issuer, audience and expiry before the function runs (locally, local/runtime/src/http-api.ts does the same).
 * HTTP APIs flatten object claims such as `projects` into strings, so we read the claims from the verified token
 * itself instead of the authorizer context.
 */
import * as z from 'zod';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '#shared/errors';

const claimsSchema = z.object({
  sub: z.string().min(1),
  org: z.string().min(1),
  orgRole: z.enum(['owner', 'member']),
  projects: z.record(z.string(), z.enum(['admin', 'member'])).default({}),
});

export type PlatformUser = {
  userId: string;
  orgId: string;
  orgRole: 'owner' | 'member';
  /**
   * A Map, not the claim's plain object: project ids come from request paths, and a plain object
   * would answer `constructor` or `__proto__` with an inherited property as if it were a role.
   */
  projectRoles: ReadonlyMap<string, 'admin' | 'member'>;
};

export function platformUserFrom(event: APIGatewayProxyEventV2): PlatformUser {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const token = header?.match(/^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/)?.[1];
  if (!token) throw new UnauthorizedError();
  const payload = token.split('.')[1] ?? '';
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError();
  }
  const claims = claimsSchema.safeParse(decoded);
  if (!claims.success) {
    throw new UnauthorizedError('The token lacks the sub, org, orgRole or projects claims this API needs.');
  }
  return {
    userId: claims.data.sub,
    orgId: claims.data.org,
    orgRole: claims.data.orgRole,
    projectRoles: new Map(Object.entries(claims.data.projects)),
  };
}
