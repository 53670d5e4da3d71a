/**
 * Each function runs as its own role (function-roles.ts), as deployed. At start the roles are
 * created, or brought up to date, in the platform account through the endpoint's IAM API, as the
 * deployment's CloudFormation stack does; then Lambda's part, assuming a role for its function,
 * is the endpoint's assumeRoleAsService (trust policy checked: lambda.amazonaws.com). The session
 * reaches the function as the standard environment credentials, with AWS_CREDENTIAL_EXPIRATION.
 *
 * Sessions last an hour and are renewed every half hour. The AWS SDK re-reads environment
 * credentials five minutes before the ones it holds expire, so it always finds a valid session.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AssumeRoleAsService } from '@s3-integrations/aws-endpoint/service-sessions';
import { LAMBDA_SERVICE_PRINCIPAL, LAMBDA_TRUST_POLICY, type FunctionRole } from '#runtime/function-roles';
import type { FunctionSpec, LocalService } from '#runtime/service-model';

export interface SessionTimes {
  /** How long a session lasts (an hour). */
  sessionSeconds: number;
  /** How often every session is renewed (half the lifetime). */
  renewEveryMs: number;
}

const DEFAULT_TIMES: SessionTimes = { sessionSeconds: 3600, renewEveryMs: 1800 * 1000 };

/** Creates each role once (several functions may share one) or updates it to serverless.yml. */
export async function provisionRoles(
  service: LocalService,
  roles: Iterable<FunctionRole>,
  awsUrl: string,
): Promise<void> {
  const iam = new IAMClient({
    endpoint: awsUrl,
    region: service.region,
    // The platform account's root on the local endpoint (docs/product-contract.md §7), playing the deployment.
    credentials: { accessKeyId: `LOCAL${service.accountId}`, secretAccessKey: 'local' },
  });
  const trust = JSON.stringify(LAMBDA_TRUST_POLICY);
  try {
    for (const role of new Map([...roles].map((entry) => [entry.roleName, entry])).values()) {
      try {
        await iam.send(new CreateRoleCommand({ RoleName: role.roleName, AssumeRolePolicyDocument: trust }));
      } catch (error) {
        // The endpoint keeps IAM between runs: last run's role gets this run's documents.
        if ((error as { name?: string }).name !== 'EntityAlreadyExistsException') throw error;
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.roleName, PolicyDocument: trust }));
      }
      try {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: role.roleName,
            PolicyName: role.policyName,
            PolicyDocument: JSON.stringify(role.policy),
          }),
        );
      } catch (error) {
        throw new Error(`The role ${role.roleName} could not take its policy: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  } finally {
    iam.destroy();
  }
}

/** The current session of every function, kept fresh, handed to whoever runs the function. */
export class FunctionSessions {
  private readonly current = new Map<string, Record<string, string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly functions: FunctionSpec[],
    private readonly roles: Map<string, FunctionRole>,
    private readonly assumeRoleAsService: AssumeRoleAsService,
    private readonly times: SessionTimes = DEFAULT_TIMES,
  ) {
    for (const fn of functions) this.current.set(fn.key, this.issue(fn));
  }

  /** The credential variables of a function's environment now. */
  variablesOf(key: string): Record<string, string> {
    const variables = this.current.get(key);
    if (!variables) throw new Error(`No session for function ${key}.`);
    return variables;
  }

  /** Renews every session (every half hour) and tells `deliver` about each new one. */
  startRenewing(deliver: (key: string, variables: Record<string, string>) => void): void {
    this.timer = setInterval(() => {
      for (const fn of this.functions) {
        try {
          const variables = this.issue(fn);
          this.current.set(fn.key, variables);
          deliver(fn.key, variables);
        } catch (error) {
          console.error(`[local] could not renew the session of ${fn.key}: ${(error as Error).message}`);
        }
      }
    }, this.times.renewEveryMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private issue(fn: FunctionSpec): Record<string, string> {
    const role = this.roles.get(fn.key);
    if (!role) throw new Error(`No role for function ${fn.key}.`);
    // Lambda names the session after the function.
    const session = this.assumeRoleAsService({
      roleArn: role.roleArn,
      servicePrincipal: LAMBDA_SERVICE_PRINCIPAL,
      sessionName: fn.name.slice(0, 64),
      durationSeconds: this.times.sessionSeconds,
    });
    return {
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: session.expiration.toISOString(),
    };
  }
}
