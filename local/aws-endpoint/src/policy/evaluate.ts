/**
 * The IAM evaluation rule for a set of policies, as AWS documents it: an explicit Deny in any
 * applicable statement wins; otherwise at least one applicable Allow is needed; otherwise the
 * request is implicitly denied.
 */
import type { AccessRequest, Caller, PolicyDocument, PolicyStatement } from '#endpoint/contract';
import type { ConditionContext } from '#endpoint/policy/conditions';
import { conditionsHold } from '#endpoint/policy/conditions';
import { statementsOf } from '#endpoint/policy/document';
import { matchesResourceArn, matchesWildcard } from '#endpoint/policy/wildcard';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Evaluates identity-style policies (Action + Resource + Condition) for one request. */
export function evaluatePolicies(policies: PolicyDocument[], request: AccessRequest): Decision {
  const context = toConditionContext(request.context);
  return decide(
    policies,
    (statement) =>
      actionApplies(statement, request.action) &&
      resourceApplies(statement, request.resource) &&
      conditionsHold(statement.Condition, context),
  );
}

/**
 * Who asks a trust policy to let them assume a role: a principal that signed an AssumeRole
 * request, or an AWS service acting for itself (Lambda assuming a function's execution role).
 */
export type TrustedEntity = Caller | { servicePrincipal: string };

/** Evaluates a role trust policy (Principal + Action + Condition) for whoever asks. */
export function evaluateTrustPolicy(trust: PolicyDocument, who: TrustedEntity, request: AccessRequest): Decision {
  const context = toConditionContext(request.context);
  return decide(
    [trust],
    (statement) =>
      principalApplies(statement, who) &&
      actionApplies(statement, request.action) &&
      conditionsHold(statement.Condition, context),
  );
}

/**
 * Evaluates a resource policy (an event bus policy): Principal + Action + Resource + Condition,
 * the resource being the one the request names.
 */
export function evaluateResourcePolicy(policy: PolicyDocument, caller: Caller, request: AccessRequest): Decision {
  const context = toConditionContext(request.context);
  return decide(
    [policy],
    (statement) =>
      principalApplies(statement, caller) &&
      actionApplies(statement, request.action) &&
      (statement.Resource === undefined && statement.NotResource === undefined
        ? true
        : resourceApplies(statement, request.resource)) &&
      conditionsHold(statement.Condition, context),
  );
}

/**
 * What a KMS key policy grants a caller for one request, by how its applicable statements name
 * the caller: `deny` (any applicable Deny), `account` (an Allow to the caller's account: its id or
 * `:root` ARN, which delegates to the account's IAM policies), `principal` (an Allow to `*` or to
 * the caller's role, which the session policy still limits) and `session` (an Allow to the
 * caller's own session ARN, which it does not). A statement without Action or Resource applies to
 * nothing, as KMS documents.
 */
export interface KeyPolicyGrants {
  deny: boolean;
  account: boolean;
  principal: boolean;
  session: boolean;
}

export function keyPolicyGrants(policy: PolicyDocument, caller: Caller, request: AccessRequest): KeyPolicyGrants {
  const context = toConditionContext(request.context);
  const grants: KeyPolicyGrants = { deny: false, account: false, principal: false, session: false };
  for (const statement of statementsOf(policy)) {
    const applies =
      principalApplies(statement, caller) &&
      actionApplies(statement, request.action) &&
      resourceApplies(statement, request.resource) &&
      conditionsHold(statement.Condition, context);
    if (!applies) continue;
    if (statement.Effect === 'Deny') grants.deny = true;
    else grants[namedAs(statement, caller)] = true;
  }
  return grants;
}

/** How an applicable Allow names the caller: the narrowest way any of its entries does. */
function namedAs(statement: PolicyStatement, caller: Caller): 'account' | 'principal' | 'session' {
  const principal = statement.Principal;
  if (principal === undefined || principal === '*') return 'principal'; // NotPrincipal, or everyone
  const entries = toList(principal.AWS ?? []);
  if (entries.includes(caller.arn) && caller.roleArn !== undefined) return 'session';
  if (entries.includes('*') || (caller.roleArn !== undefined && entries.includes(caller.roleArn))) return 'principal';
  return 'account';
}

function decide(policies: PolicyDocument[], applies: (statement: PolicyStatement) => boolean): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const statement of statementsOf(policy)) {
      if (!applies(statement)) continue;
      if (statement.Effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

function actionApplies(statement: PolicyStatement, action: string): boolean {
  const matches = (patterns: string | string[]) =>
    toList(patterns).some((pattern) => matchesWildcard(pattern, action, true));
  if (statement.Action !== undefined) return matches(statement.Action);
  if (statement.NotAction !== undefined) return !matches(statement.NotAction);
  return false;
}

function resourceApplies(statement: PolicyStatement, resource: string): boolean {
  const matches = (patterns: string | string[]) =>
    toList(patterns).some((pattern) => matchesResourceArn(pattern, resource));
  if (statement.Resource !== undefined) return matches(statement.Resource);
  if (statement.NotResource !== undefined) return !matches(statement.NotResource);
  return false;
}

/**
 * `Principal: {"AWS": ...}` entries: `*`, an account id or its `:root` ARN (any principal of
 * that account, subject to its own identity policies), a role ARN (sessions of that role), or
 * an assumed-role session ARN. `Principal: {"Service": ...}` names AWS services, which only ever
 * match a service acting for itself; `"Principal": "*"` matches everyone.
 */
function principalApplies(statement: PolicyStatement, who: TrustedEntity): boolean {
  if (statement.Principal !== undefined) return principalMatches(statement.Principal, who);
  if (statement.NotPrincipal !== undefined) return !principalMatches(statement.NotPrincipal, who);
  return false;
}

function principalMatches(principal: NonNullable<PolicyStatement['Principal']>, who: TrustedEntity): boolean {
  if (principal === '*') return true;
  if ('servicePrincipal' in who) return toList(principal.Service ?? []).includes(who.servicePrincipal);
  return toList(principal.AWS ?? []).some((entry) => {
    if (entry === '*') return true;
    const account = /^\d{12}$/.test(entry) ? entry : /^arn:aws:iam::(\d{12}):root$/.exec(entry)?.[1];
    if (account) return who.accountId === account;
    return entry === who.roleArn || entry === who.arn;
  });
}

function toList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Context keys are case-insensitive in IAM; values are kept as given. */
export function toConditionContext(context: AccessRequest['context']): ConditionContext {
  const map: ConditionContext = new Map();
  for (const [key, value] of Object.entries(context ?? {})) {
    map.set(key.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  return map;
}
