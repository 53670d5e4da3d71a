/**
 * Non-root identities on a running local stack, for the tools that run a handler outside it (the
 * tests, the benches): AWS refuses root some calls (AssumeRole), and the stack's functions never
 * run as root.
 * - functionCredentials(stack, ['runExportJob']): a session of the function's own role, as the
 *   stack runs it. For several functions (or with `alsoAllow`, for where only a test redirects a
 *   handler), a role holding exactly their statements plus those; the stack itself still runs
 *   each function as its own role, which is where a missing permission shows.
 * - serviceSession(stack, roleArn): a session of a role that trusts Lambda, as Lambda gets one
 *   (POST /_local/service-sessions on the endpoint).
 * - roleSession(stack, accountId, statements): a new role of any account with these statements,
 *   and a session of it: a principal other than root, e.g. a customer's own role or a stranger's.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';
import { PLATFORM_ACCOUNT_ID, type PolicyStatement } from '@s3-integrations/aws-endpoint/contract';
import { LAMBDA_SERVICE_PRINCIPAL, LAMBDA_TRUST_POLICY } from '#runtime/function-roles';

/** What these helpers need of a running stack (its ready file has both). */
export interface StackAccess {
  awsUrl: string;
  functionRoles: Record<string, string>;
}

export type SessionCredentials = AwsCredentialIdentity & { sessionToken: string; expiration: Date };

const TRUST_LAMBDA = JSON.stringify(LAMBDA_TRUST_POLICY);

/** IAM as the account's root (local root keys are no secret: docs/product-contract.md §7). */
const iamOf = (stack: StackAccess, accountId: string) =>
  new IAMClient({
    endpoint: stack.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: `LOCAL${accountId}`, secretAccessKey: 'local' },
  });

export async function serviceSession(
  stack: StackAccess,
  roleArn: string,
  sessionName = 'test-harness',
): Promise<SessionCredentials> {
  const response = await fetch(`${stack.awsUrl}/_local/service-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ roleArn, servicePrincipal: LAMBDA_SERVICE_PRINCIPAL, sessionName }),
  });
  if (!response.ok) throw new Error(`No session of ${roleArn}: ${response.status} ${await response.text()}`);
  const session = (await response.json()) as {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: string;
  };
  return { ...session, expiration: new Date(session.expiration) };
}

/** A new role of `accountId` with these statements (trusting Lambda), and a session of it. */
export async function roleSession(
  stack: StackAccess,
  accountId: string,
  statements: PolicyStatement[],
): Promise<SessionCredentials & { roleArn: string }> {
  const iam = iamOf(stack, accountId);
  const roleName = `test-role-${randomBytes(4).toString('hex')}`;
  const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_LAMBDA }));
  if (statements.length > 0) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'test',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  }
  const roleArn = role.Role?.Arn ?? '';
  return { ...(await serviceSession(stack, roleArn)), roleArn };
}

/** Credentials of the stack's role for these functions (one role holding all their statements, plus `alsoAllow`). */
export async function functionCredentials(
  stack: StackAccess,
  functionKeys: string[],
  alsoAllow: PolicyStatement[] = [],
): Promise<SessionCredentials> {
  const roles = functionKeys.map((key) => {
    const roleArn = stack.functionRoles[key];
    if (!roleArn) throw new Error(`No function ${key} in the stack.`);
    return roleArn;
  });
  const [only] = roles;
  if (roles.length === 1 && only && alsoAllow.length === 0) return serviceSession(stack, only, functionKeys[0]);

  const iam = iamOf(stack, PLATFORM_ACCOUNT_ID);
  const statements: unknown[] = [];
  for (const roleArn of roles) {
    const RoleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    for (const PolicyName of (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? []) {
      const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
      statements.push(...(JSON.parse(decodeURIComponent(PolicyDocument ?? '')) as { Statement: unknown[] }).Statement);
    }
  }
  statements.push(...alsoAllow);
  const document = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  // Named after its content: the same functions and extras share one role across test files.
  const roleName = `test-${createHash('sha256').update(document).digest('hex').slice(0, 16)}`;
  try {
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_LAMBDA }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'EntityAlreadyExistsException') throw error;
  }
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'functions', PolicyDocument: document }));
  return serviceSession(
    stack,
    `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:role/${roleName}`,
    `test-${functionKeys.join('.')}`.slice(0, 64),
  );
}

/** The variables that make the AWS SDK of a process use these credentials. */
export function credentialVariables(credentials: SessionCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_CREDENTIAL_EXPIRATION: credentials.expiration.toISOString(),
  };
}
