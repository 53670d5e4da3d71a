/**
 * The authorization decision for every request the local endpoint serves.
 *
 * Modelled: identity policies (managed policies attached to the caller's role and its inline
 * policies), intersected with the session policy passed to AssumeRole; explicit Deny wins, an
 * Allow is needed, anything else is an implicit deny. Root callers may do anything inside their
 * own account. Role trust policies are evaluated by STS (evaluateTrustPolicy). Every request
 * carries the global condition keys AWS sets (globalConditionKeys) beside the service's own.
 *
 * KMS key policies (kms-key-policy.ts) and event bus policies (events.ts) are evaluated by their
 * services with identityDecision. Not modelled: other resource policies (bucket policies, queue
 * policies), so any other cross-account access is denied; SCPs and RCPs; permission boundaries;
 * IAM users and groups; policy variables.
 */
import { AwsError, type AccessRequest, type Authorize, type Caller, type PolicyDocument } from '#endpoint/contract';
import { evaluatePolicies, type Decision } from '#endpoint/policy/evaluate';
import { accountOfArn } from '#endpoint/policy/wildcard';

/** Where the identity policies of a (non-root) caller come from: the IAM store. */
export type IdentityPolicySource = (caller: Caller) => PolicyDocument[];

export interface Authorizer {
  authorize: Authorize;
  /**
   * The caller's own permission, ignoring which account owns the resource: what STS needs
   * before it consults the target role's trust policy (a resource policy that may grant
   * cross-account access).
   */
  identityDecision(caller: Caller, request: AccessRequest): { decision: Decision; reason: string };
}

export function createAuthorizer(identityPoliciesOf: IdentityPolicySource, now: () => number = Date.now): Authorizer {
  const identityDecision: Authorizer['identityDecision'] = (caller, asked) => {
    if (caller.isRoot) return { decision: 'Allow', reason: '' };
    const request = { ...asked, context: { ...globalConditionKeys(caller, now()), ...asked.context } };
    const identity = evaluatePolicies(identityPoliciesOf(caller), request);
    const session = caller.sessionPolicy ? evaluatePolicies([caller.sessionPolicy], request) : 'Allow';
    // AWS looks for an explicit Deny in every applicable policy before it looks for any Allow,
    // so a session policy's Deny is reported as such even when no identity policy allows.
    if (identity === 'ExplicitDeny')
      return { decision: identity, reason: 'with an explicit deny in an identity-based policy' };
    if (session === 'ExplicitDeny') return { decision: session, reason: 'with an explicit deny in a session policy' };
    if (identity === 'ImplicitDeny')
      return { decision: identity, reason: `because no identity-based policy allows the ${request.action} action` };
    if (session === 'ImplicitDeny')
      return { decision: session, reason: `because no session policy allows the ${request.action} action` };
    return { decision: 'Allow', reason: '' };
  };

  const authorize: Authorize = (caller, request) => {
    const resourceAccount = resourceAccountOf(request);
    if (resourceAccount !== caller.accountId) {
      throw notAuthorized(
        caller,
        request,
        'because no resource-based policy allows the action (cross-account access is not modelled)',
      );
    }
    const { decision, reason } = identityDecision(caller, request);
    if (decision !== 'Allow') throw notAuthorized(caller, request, reason);
  };

  return { authorize, identityDecision };
}

/**
 * The global condition keys of a request from `caller`. `aws:SecureTransport` is always true:
 * the endpoint speaks plain HTTP on loopback only because it stands in for AWS's endpoints, which
 * the SDK always reaches over TLS; the transport is never the product's choice. Reporting the
 * loopback hop as insecure would make the common `Deny ... Bool aws:SecureTransport false`
 * statement refuse everything locally that it never refuses in AWS.
 */
export function globalConditionKeys(caller: Caller, nowMs: number): Record<string, string> {
  return {
    'aws:SecureTransport': 'true',
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalArn': caller.roleArn ?? caller.arn,
    'aws:PrincipalType': caller.isRoot ? 'Account' : 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
    'aws:CurrentTime': new Date(nowMs).toISOString(),
    'aws:EpochTime': String(Math.floor(nowMs / 1000)),
  };
}

/**
 * The account that owns the resource: the `aws:ResourceAccount` context key when the service
 * sets it (S3 ARNs carry no account, so S3 passes the bucket owner), else the ARN's account.
 * When neither says, the request is denied: an unknown owner must never read as "own account".
 */
function resourceAccountOf(request: AccessRequest): string | undefined {
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (key.toLowerCase() === 'aws:resourceaccount') return Array.isArray(value) ? value[0] : value;
  }
  return accountOfArn(request.resource);
}

/**
 * The AccessDenied of a policy decision, naming the caller, the action and the resource as IAM's
 * services do (S3's bare `Access Denied` is s3AccessDenied in s3/errors.ts).
 */
export function notAuthorized(caller: Caller, request: AccessRequest, reason: string): AwsError {
  return new AwsError(
    'AccessDenied',
    (
      `User: ${caller.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} ` +
      `${reason}`
    ).trim(),
    403,
  );
}
