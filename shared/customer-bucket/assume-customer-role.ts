/**
 * Sessions of a customer's role: one uncached AssumeRole call (validation's probes), the platform's own
 * principal for messages, and the cached, scope-narrowed credentials every customer bucket client uses.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { sts } from '#shared/aws/clients';
import { SessionCache } from '#shared/customer-bucket/session-cache';
import { sessionPolicyFor, type SessionScope } from '#shared/customer-bucket/session-policy';

/** Sessions are renewed this long before they expire, so no request ever goes out with stale keys. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;
const SESSION_SECONDS = 3600;

let platformPrincipal: Promise<string> | undefined;

/** The ARN the customer's trust policy sees as the caller (for messages such as ROLE_ASSUMPTION_FAILED). */
export function platformPrincipalArn(): Promise<string> {
  platformPrincipal ??= sts
    .send(new GetCallerIdentityCommand({}))
    .then(({ Arn }) => Arn ?? 'unknown')
    .catch((error: unknown) => {
      platformPrincipal = undefined;
      throw error;
    });
  return platformPrincipal;
}

export interface AssumeRoleRequest {
  roleArn: string;
  externalId: string;
  /** Carries the integration id, so the customer's CloudTrail shows which integration acted. */
  sessionName: string;
  sessionPolicy?: string;
}

/** One AssumeRole call, uncached: validation uses it directly to probe the trust policy. */
export async function assumeRole(request: AssumeRoleRequest): Promise<Required<AwsCredentialIdentity>> {
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: request.roleArn,
      ExternalId: request.externalId,
      RoleSessionName: request.sessionName,
      Policy: request.sessionPolicy,
      DurationSeconds: SESSION_SECONDS,
    }),
  );
  if (
    !Credentials?.AccessKeyId ||
    !Credentials.SecretAccessKey ||
    !Credentials.SessionToken ||
    !Credentials.Expiration
  ) {
    throw new Error('AssumeRole returned no credentials');
  }
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    expiration: Credentials.Expiration,
    credentialScope: '',
    accountId: '',
  };
}

export interface CustomerRole {
  integrationId: string;
  roleArn: string;
  externalId: string;
}

/** Sessions kept per container: enough for every destination a busy worker serves at once. */
export const MAX_CACHED_SESSIONS = 256;
const sessions = new SessionCache(MAX_CACHED_SESSIONS, RENEW_BEFORE_MS);

/** How many sessions this container holds now (for tests and diagnostics). */
export const cachedSessionCount = () => sessions.size;

/**
 * A credentials provider for the customer role narrowed to `scope`, shared by every client of the
 * same role and scope in this container, renewed shortly before expiry (session-cache.ts).
 */
export function customerCredentials(role: CustomerRole, scope: SessionScope, purpose: string) {
  const sessionPolicy = JSON.stringify(sessionPolicyFor(scope));
  const key = `${role.roleArn}|${role.externalId}|${purpose}|${sessionPolicy}`;
  return (): Promise<AwsCredentialIdentity> =>
    sessions.get(key, () =>
      assumeRole({
        roleArn: role.roleArn,
        externalId: role.externalId,
        sessionName: `${role.integrationId}-${purpose}`.slice(0, 64),
        sessionPolicy,
      }),
    );
}
