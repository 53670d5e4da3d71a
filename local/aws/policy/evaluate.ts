/**
 * The IAM evaluation rule for a set of policies, as AWS documents it: an explicit Deny in any
 * applicable statement wins; otherwise at least one applicable Allow is needed; otherwise the
 * request is implicitly denied.
 */
import type { AccessRequest, Caller, PolicyDocument, PolicyStatement } from '#local/aws/contract';
import type { ConditionContext } from '#local/aws/policy/conditions';
import { conditionsHold } from '#local/aws/policy/conditions';
import { statementsOf } from '#local/aws/policy/document';
import { matchesArn, matchesWildcard } from '#local/aws/policy/wildcard';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Evaluates identity-style policies (Action + Resource + Condition) for one request. */
export function evaluatePolicies(policies: PolicyDocument[], request: AccessRequest): Decision {
  const context = toConditionContext(request.context);
  return decide(policies, (statement) =>
    actionApplies(statement, request.action) &&
    resourceApplies(statement, request.resource) &&
    conditionsHold(statement.Condition, context),
  );
}

/** Evaluates a role trust policy (Principal + Action + Condition) for a calling principal. */
export function evaluateTrustPolicy(trust: PolicyDocument, caller: Caller, request: AccessRequest): Decision {
  const context = toConditionContext(request.context);
  return decide([trust], (statement) =>
    principalApplies(statement, caller) &&
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
  return decide([policy], (statement) =>
    principalApplies(statement, caller) &&
    actionApplies(statement, request.action) &&
    (statement.Resource === undefined && statement.NotResource === undefined ? true : resourceApplies(statement, request.resource)) &&
    conditionsHold(statement.Condition, context),
  );
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
  const matches = (patterns: string | string[]) => toList(patterns).some((pattern) => matchesResource(pattern, resource));
  if (statement.Resource !== undefined) return matches(statement.Resource);
  if (statement.NotResource !== undefined) return !matches(statement.NotResource);
  return false;
}

function matchesResource(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  return matchesArn(pattern, resource);
}

/**
 * `Principal: {"AWS": ...}` entries: `*`, an account id or its `:root` ARN (any principal of
 * that account, subject to its own identity policies), a role ARN (sessions of that role), or
 * an assumed-role session ARN. Service and federated principals never match AWS-signed callers.
 */
function principalApplies(statement: PolicyStatement, caller: Caller): boolean {
  if (statement.Principal !== undefined) return principalMatches(statement.Principal, caller);
  if (statement.NotPrincipal !== undefined) return !principalMatches(statement.NotPrincipal, caller);
  return false;
}

function principalMatches(principal: NonNullable<PolicyStatement['Principal']>, caller: Caller): boolean {
  if (principal === '*') return true;
  return toList(principal.AWS ?? []).some((entry) => {
    if (entry === '*') return true;
    const account = /^\d{12}$/.test(entry) ? entry : /^arn:aws:iam::(\d{12}):root$/.exec(entry)?.[1];
    if (account) return caller.accountId === account;
    return entry === caller.roleArn || entry === caller.arn;
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
