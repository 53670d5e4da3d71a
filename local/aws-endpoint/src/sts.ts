/**
 * STS over the Query protocol: GetCallerIdentity and AssumeRole.
 *
 * AssumeRole succeeds only when (1) the role exists, (2) its trust policy allows the calling
 * principal for `sts:AssumeRole` under the request's condition context (`sts:ExternalId` only
 * when the caller sent one, `aws:PrincipalAccount`, `aws:PrincipalArn`, `sts:RoleSessionName`),
 * and (3) the caller's own identity policies (and session policy) allow `sts:AssumeRole` on the
 * role. Any failure answers the same AccessDenied, so a caller cannot tell a missing role from a
 * refusing one. Root callers are refused outright, as AWS refuses them ("Roles may not be assumed
 * by root accounts."): a role is assumed by a role session (role chaining) or by an AWS service
 * (service-sessions.ts, how local functions get their roles). Deviation from AWS: a same-account
 * trust policy that names a role ARN still needs (3), where AWS would let the trust policy alone
 * grant access.
 * Not supported: PolicyArns, tags, source identity, MFA, web identity and SAML.
 */
import { AwsError, type Caller, type PolicyDocument, type ServiceHandler } from '#endpoint/contract';
import type { Accounts } from '#endpoint/accounts';
import type { AssumeRoleJournal } from '#endpoint/sts-journal';
import type { IamStore } from '#endpoint/iam-store';
import { queryParams, required } from '#endpoint/iam';
import type { Authorizer } from '#endpoint/policy/authorize';
import { notAuthorized, globalConditionKeys } from '#endpoint/policy/authorize';
import { parsePolicyDocument } from '#endpoint/policy/document';
import { evaluateTrustPolicy } from '#endpoint/policy/evaluate';
import { sendQueryResult, type XmlValue } from '#endpoint/protocols';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\x21-\x7E]{1,576}$/;
const MAX_SESSION_POLICY_CHARS = 2048;
const CHAINED_SESSION_LIMIT_SECONDS = 3600;

export function createStsService(deps: {
  accounts: Accounts;
  store: IamStore;
  authorizer: Authorizer;
  journal: AssumeRoleJournal;
}): ServiceHandler {
  const { accounts, store, authorizer, journal } = deps;

  const getCallerIdentity = (caller: Caller): Record<string, XmlValue> => {
    // AWS reports the account id for root, and `<role id>:<session name>` for role sessions.
    const credential = caller.isRoot ? undefined : accounts.credentialFor(caller.accessKeyId);
    const userId =
      credential?.kind === 'session'
        ? `${credential.session.roleId}:${credential.session.sessionName}`
        : caller.accountId;
    return { UserId: userId, Account: caller.accountId, Arn: caller.arn };
  };

  const assumeRole = (caller: Caller, params: URLSearchParams): Record<string, XmlValue> => {
    const roleArn = required(params, 'RoleArn');
    const sessionName = required(params, 'RoleSessionName');
    const externalId = params.get('ExternalId') ?? undefined;
    const durationSeconds = parseDuration(params.get('DurationSeconds'));
    if (!ROLE_ARN.test(roleArn))
      throw validation(`Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a role ARN`);
    if (!SESSION_NAME.test(sessionName)) {
      throw validation(
        `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy ` +
          `regular expression pattern: [\\w+=,.@-]* and length 2..64`,
      );
    }
    if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
      throw validation(
        "Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
          '[\\w+=,.@:\\/-]* and length 2..1224',
      );
    }
    if ([...params.keys()].some((name) => name.startsWith('PolicyArns.'))) {
      throw validation(
        'PolicyArns is not supported by the local endpoint; pass the session policy inline with Policy.',
      );
    }
    const sessionPolicy = parseSessionPolicy(params.get('Policy'));
    const journalled = (result: 'Granted' | 'AccessDenied') =>
      journal.record({
        time: new Date(accounts.now()).toISOString(),
        callerArn: caller.arn,
        roleArn,
        roleSessionName: sessionName,
        ...(externalId !== undefined ? { externalId } : {}),
        ...(sessionPolicy ? { sessionPolicy } : {}),
        result,
      });
    if (caller.isRoot) {
      journalled('AccessDenied');
      throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.', 403);
    }

    const request = {
      action: 'sts:AssumeRole',
      resource: roleArn,
      context: {
        ...globalConditionKeys(caller, accounts.now()),
        'sts:RoleSessionName': sessionName,
        ...(externalId !== undefined ? { 'sts:ExternalId': externalId } : {}),
      },
    };
    // The caller's own policies are reported with their reason; the role's existence and trust policy never are.
    const own = authorizer.identityDecision(caller, request);
    if (own.decision !== 'Allow') {
      journalled('AccessDenied');
      throw notAuthorized(caller, request, own.reason);
    }
    const role = store.findRoleByArn(roleArn);
    const trusted =
      role !== undefined &&
      evaluateTrustPolicy(parsePolicyDocument(role.trustPolicy, 'trust'), caller, request) === 'Allow';
    journalled(trusted ? 'Granted' : 'AccessDenied');
    if (!trusted || !role) throw notAuthorized(caller, request, '');

    if (durationSeconds > role.maxSessionDuration) {
      throw validation(`The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    if (durationSeconds > CHAINED_SESSION_LIMIT_SECONDS) {
      throw validation(
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    const session = accounts.issueSession({ role, sessionName, durationSeconds, sessionPolicy });
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: new Date(session.expiresAt),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${sessionName}`,
        Arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`,
      },
      PackedPolicySize: sessionPolicy
        ? Math.ceil((JSON.stringify(sessionPolicy).length / MAX_SESSION_POLICY_CHARS) * 100)
        : undefined,
    };
  };

  return async (request, response) => {
    const params = await queryParams(request.raw.method, request.url, request.readBody);
    const action = params.get('Action') ?? '';
    if (params.get('Version') !== '2011-06-15' || (action !== 'GetCallerIdentity' && action !== 'AssumeRole')) {
      throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
    }
    const result = action === 'AssumeRole' ? assumeRole(request.caller, params) : getCallerIdentity(request.caller);
    sendQueryResult(response, 'sts', action, result);
  };
}

function parseDuration(value: string | null): number {
  if (value === null) return 3600;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 900 || seconds > 43200) {
    throw validation(
      `Value '${value}' at 'durationSeconds' failed to satisfy constraint: Member must have value between ` +
        `900 and 43200`,
    );
  }
  return seconds;
}

function parseSessionPolicy(text: string | null): PolicyDocument | undefined {
  if (text === null) return undefined;
  if (text.length > MAX_SESSION_POLICY_CHARS) {
    throw new AwsError(
      'PackedPolicyTooLarge',
      'The session policy is larger than the 2048 characters AWS allows.',
      400,
    );
  }
  return parsePolicyDocument(text, 'identity');
}

function validation(message: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${message}`, 400);
}
