/**
 * KMS key policies, as the KMS Developer Guide describes them ("Key policies in AWS KMS",
 * "Default key policy", "Allowing users in other accounts to use a KMS key") and the API Reference
 * (CreateKey, PutKeyPolicy, GetKeyPolicy) checks them.
 *
 * Every KMS key has exactly one key policy, named `default`; a key created without one gets the
 * default key policy, which allows the key's account (`arn:aws:iam::<account>:root`) `kms:*` and
 * so lets that account's IAM policies decide. Access to a key (authorizeKeyUse):
 * - an explicit Deny in the key policy, an identity policy or the session policy wins;
 * - in the key's account, the key policy must allow the caller: naming its session (enough on its
 *   own), its role or `*` (then the session policy still limits it), or its account (then IAM
 *   decides: identity policy intersected with the session policy);
 * - from another account, the key policy must allow the caller (or its account) and the caller's
 *   own identity and session policies must allow too.
 */
import { AwsError, type AccessRequest, type Caller, type PolicyDocument } from '#endpoint/contract';
import { kmsConditions } from '#endpoint/kms-conditions';
import { globalConditionKeys, notAuthorized, type Authorizer } from '#endpoint/policy/authorize';
import { parsePolicyDocument, statementsOf } from '#endpoint/policy/document';
import { evaluatePolicies, keyPolicyGrants } from '#endpoint/policy/evaluate';
import { optionalString, requiredString } from '#endpoint/protocols';

/** The only name a key policy has. */
export const KEY_POLICY_NAME = 'default';

const MAX_KEY_POLICY_LENGTH = 32_768;
/** Printable ASCII and Latin-1, tab, line feed and carriage return: what a key policy may hold. */
const KEY_POLICY_CHARACTERS = /^[\t\n\r\u0020-\u00ff]+$/;

/** The policy KMS attaches when CreateKey is given none. */
export function defaultKeyPolicy(accountId: string): string {
  const policy = {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
  return JSON.stringify(policy, null, 2);
}

/**
 * A key policy as CreateKey and PutKeyPolicy accept it: well-formed, every statement with a
 * principal, and every role it names existing (KMS refuses a principal it cannot see).
 */
export function parseKeyPolicy(text: string, roleExists: (arn: string) => boolean): PolicyDocument {
  if (text.length > MAX_KEY_POLICY_LENGTH)
    throw new AwsError(
      'LimitExceededException',
      `The key policy is longer than ${MAX_KEY_POLICY_LENGTH} characters.`,
      400,
    );
  if (!KEY_POLICY_CHARACTERS.test(text))
    throw malformedKeyPolicy('The key policy contains characters a key policy may not hold.');
  let policy: PolicyDocument;
  try {
    policy = parsePolicyDocument(text, 'key');
  } catch (error) {
    throw error instanceof AwsError ? malformedKeyPolicy(error.message) : error;
  }
  const principals = statementsOf(policy).flatMap((statement) => {
    const principal = statement.Principal ?? statement.NotPrincipal;
    return principal === undefined || principal === '*' ? [] : toList(principal.AWS ?? []);
  });
  if (principals.some((arn) => !principalExists(arn, roleExists)))
    throw malformedKeyPolicy('Policy contains a statement with one or more invalid principals.');
  return policy;
}

/** `*`, accounts (which exist on first use here), and roles or role sessions of roles that exist. */
function principalExists(arn: string, roleExists: (arn: string) => boolean): boolean {
  if (arn === '*' || /^\d{12}$/.test(arn) || /^arn:aws:iam::\d{12}:root$/.test(arn)) return true;
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (session) return roleExists(`arn:aws:iam::${session[1]}:role/${session[2]}`);
  return roleExists(arn);
}

/** A key as its policy concerns it. */
export interface PolicyHolder {
  arn: string;
  accountId: string;
  /** As CreateKey or PutKeyPolicy was given it; absent: the default key policy. */
  policy?: string;
}

type Input = Record<string, unknown>;

export interface KeyAccess {
  /** Throws AccessDenied as KMS words it unless the key's policy and the caller's policies allow the request. */
  authorizeKeyUse(caller: Caller, key: Omit<PolicyHolder, 'arn'>, request: AccessRequest): void;
  /**
   * The input's `Policy` for `key` as CreateKey and PutKeyPolicy check it: well-formed, naming
   * principals that exist, and (unless `BypassPolicyLockoutSafetyCheck`) letting the caller call
   * PutKeyPolicy on the key again.
   */
  checkedPolicy(caller: Caller, key: Omit<PolicyHolder, 'policy'>, input: Input): string;
}

export function createKeyAccess(deps: {
  authorizer: Authorizer;
  now: () => number;
  roleExists: (arn: string) => boolean;
}): KeyAccess {
  const decide = (caller: Caller, key: { accountId: string; policy: PolicyDocument }, request: AccessRequest) => {
    const withGlobals = { ...request, context: { ...globalConditionKeys(caller, deps.now()), ...request.context } };
    const grants = keyPolicyGrants(key.policy, caller, withGlobals);
    const identity = deps.authorizer.identityDecision(caller, request);
    if (caller.accountId !== key.accountId) {
      // Another account learns nothing of a key its policy does not open to it.
      if (grants.deny || !(grants.account || grants.principal || grants.session))
        throw keyHiddenDenial(caller, request.action);
      if (identity.decision !== 'Allow') throw notAuthorized(caller, request, identity.reason);
      return;
    }
    if (grants.deny) throw notAuthorized(caller, request, 'with an explicit deny in a resource-based policy');
    if (identity.decision === 'ExplicitDeny') throw notAuthorized(caller, request, identity.reason);
    if (grants.session) return;
    // Root is its account: a grant to the account names it directly.
    if (grants.principal || (caller.isRoot && grants.account)) {
      const session = caller.sessionPolicy ? evaluatePolicies([caller.sessionPolicy], withGlobals) : 'Allow';
      if (session !== 'Allow')
        throw notAuthorized(caller, request, `because no session policy allows the ${request.action} action`);
      return;
    }
    if (grants.account) {
      if (identity.decision !== 'Allow') throw notAuthorized(caller, request, identity.reason);
      return;
    }
    throw notAuthorized(caller, request, `because no resource-based policy allows the ${request.action} action`);
  };

  return {
    authorizeKeyUse: (caller, key, request) =>
      decide(
        caller,
        { accountId: key.accountId, policy: parsePolicyDocument(key.policy ?? defaultKeyPolicy(key.accountId), 'key') },
        request,
      ),
    checkedPolicy(caller, key, input) {
      const text = requiredString(input, 'Policy');
      const policy = parseKeyPolicy(text, deps.roleExists);
      if (input.BypassPolicyLockoutSafetyCheck === true) return text;
      try {
        decide(
          caller,
          { accountId: key.accountId, policy },
          { action: 'kms:PutKeyPolicy', resource: key.arn, context: kmsConditions(caller) },
        );
      } catch {
        throw malformedKeyPolicy('The new key policy will not allow you to update the key policy in the future.');
      }
      return text;
    },
  };
}

/**
 * GetKeyPolicy and PutKeyPolicy (policy name `default`, the only one), on keys of the caller's
 * own account only, as the API Reference says ("Cross-account use: No"); each authorized by the
 * key's current policy.
 */
export function keyPolicyOperations(
  access: KeyAccess,
  resolve: (caller: Caller, region: string, input: Input) => PolicyHolder,
  save: () => void,
): Record<string, (caller: Caller, region: string, input: Input) => unknown> {
  const ownKey = (caller: Caller, region: string, input: Input, action: string): PolicyHolder => {
    const key = resolve(caller, region, input);
    if (key.accountId !== caller.accountId) throw keyHiddenDenial(caller, `kms:${action}`);
    access.authorizeKeyUse(caller, key, { action: `kms:${action}`, resource: key.arn, context: kmsConditions(caller) });
    const name = optionalString(input, 'PolicyName') ?? KEY_POLICY_NAME;
    if (name !== KEY_POLICY_NAME)
      throw new AwsError('NotFoundException', `Key policy '${name}' does not exist: the only name is default.`, 400);
    return key;
  };
  return {
    GetKeyPolicy: (caller, region, input) => {
      const key = ownKey(caller, region, input, 'GetKeyPolicy');
      return { Policy: key.policy ?? defaultKeyPolicy(key.accountId), PolicyName: KEY_POLICY_NAME };
    },
    PutKeyPolicy: (caller, region, input) => {
      const key = ownKey(caller, region, input, 'PutKeyPolicy');
      key.policy = access.checkedPolicy(caller, key, input);
      save();
      return {};
    },
  };
}

/**
 * KMS's refusal to another account than the key's, which does not name the key (it might not
 * exist for the caller): "... on this resource because the resource does not exist in this
 * Region, no resource-based policies allow access, or a resource-based policy explicitly denies
 * access".
 */
export const keyHiddenDenial = (caller: Caller, action: string) =>
  new AwsError(
    'AccessDenied',
    `User: ${caller.arn} is not authorized to perform: ${action} on this resource because the resource does not ` +
      `exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly ` +
      `denies access`,
    403,
  );

const malformedKeyPolicy = (message: string) => new AwsError('MalformedPolicyDocumentException', message, 400);

const toList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
