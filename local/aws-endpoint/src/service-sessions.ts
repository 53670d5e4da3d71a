/**
 * Credentials for a role that an AWS service runs code as: Lambda assumes a function's execution
 * role through its service principal (`lambda.amazonaws.com`) and hands the session to the
 * function, without anyone signing an STS request. The role must exist and its trust policy must
 * allow that service principal `sts:AssumeRole`, as AWS checks it. The session is an ordinary
 * assumed-role session (`arn:aws:sts::<acct>:assumed-role/<role>/<session name>`), subject to
 * the role's identity policies on every call.
 *
 * The local runtime uses this for its functions; `POST /_local/service-sessions` (loopback only)
 * offers it to test harnesses that run a handler outside the stack.
 */
import { AwsError } from '#endpoint/contract';
import type { Accounts } from '#endpoint/accounts';
import type { IamStore } from '#endpoint/iam-store';
import { parsePolicyDocument } from '#endpoint/policy/document';
import { evaluateTrustPolicy } from '#endpoint/policy/evaluate';

export interface ServiceSessionRequest {
  roleArn: string;
  /** e.g. `lambda.amazonaws.com` */
  servicePrincipal: string;
  /** Lambda names the session after the function. */
  sessionName: string;
  /** 900 to 43200; one hour when left out. */
  durationSeconds?: number;
}

export interface ServiceSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The assumed-role session ARN the calls are made as. */
  arn: string;
}

export type AssumeRoleAsService = (request: ServiceSessionRequest) => ServiceSession;

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;

export function createServiceSessions(deps: { accounts: Accounts; store: IamStore }): AssumeRoleAsService {
  return (request) => {
    const { roleArn, servicePrincipal, sessionName } = request;
    const durationSeconds = request.durationSeconds ?? 3600;
    if (!SERVICE_PRINCIPAL.test(servicePrincipal))
      throw invalid(`${servicePrincipal} is not a service principal (like lambda.amazonaws.com).`);
    if (!SESSION_NAME.test(sessionName)) throw invalid('The session name must be 2 to 64 characters of [\\w+=,.@-].');
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
      throw invalid('The session duration must be 900 to 43200 seconds.');
    }
    const role = deps.store.findRoleByArn(roleArn);
    const trusted =
      role !== undefined &&
      evaluateTrustPolicy(
        parsePolicyDocument(role.trustPolicy, 'trust'),
        { servicePrincipal },
        { action: 'sts:AssumeRole', resource: roleArn },
      ) === 'Allow';
    if (!role || !trusted) {
      throw new AwsError(
        'AccessDenied',
        `${servicePrincipal} cannot assume ${roleArn}: the role does not exist or its trust policy does not ` +
          `allow that service to assume it.`,
        403,
      );
    }
    const session = deps.accounts.issueSession({ role, sessionName, durationSeconds });
    return {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiresAt),
      arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`,
    };
  };
}

function invalid(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}
