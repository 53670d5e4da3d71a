/**
 * Starts the local AWS endpoint on an ephemeral port with a throw-away data directory, a
 * controllable clock and hooks that record what reached them, and builds real SDK clients
 * pointed at it. Other packages' tests use it too, as `@s3-integrations/aws-endpoint/testing`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient, CreatePolicyCommand, CreateRoleCommand, AttachRolePolicyCommand } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  AwsError,
  type NotificationTargets,
  type PlatformHooks,
  type PolicyDocument,
  type PutEventsEntry,
  type ServiceEvent,
} from '#endpoint/contract';
import { createIamStore } from '#endpoint/iam-store';
import { createKms, type LocalKms } from '#endpoint/kms';
import { createAuthorizer } from '#endpoint/policy/authorize';
import { startAwsEndpoint, type AwsEndpoint } from '#endpoint/server';

export const PLATFORM = '111111111111';
export const CUSTOMER = '222222222222';
export const OTHER = '333333333333';
export const REGION = 'us-east-1';

export interface RecordedHooks extends PlatformHooks {
  events: Array<PutEventsEntry & { account: string }>;
  /** Buses by ARN with their policies; the default bus of every account exists without one. */
  buses: Map<string, PolicyDocument | undefined>;
  executions: Array<{ stateMachineArn: string; input: string; name?: string }>;
  messages: Array<{ queueUrl: string; bodies: string[] }>;
  notifications: RecordedNotifications;
}

/** S3 notification targets that record what reached them. */
export interface RecordedNotifications extends NotificationTargets {
  serviceEvents: ServiceEvent[];
  queueMessages: Array<{ queueArn: string; body: string }>;
  /** The queues that exist: ARN -> why S3 may not send to it (undefined: it may). */
  queues: Map<string, string | undefined>;
  /** Deliveries to refuse (503, as a runtime still starting) before accepting again. */
  refuseNext: number;
}

function recordingNotifications(): RecordedNotifications {
  const targets: RecordedNotifications = {
    serviceEvents: [],
    queueMessages: [],
    queues: new Map(),
    refuseNext: 0,
    async putServiceEvent(event) {
      refuseIfAsked();
      targets.serviceEvents.push(event);
    },
    checkQueue(queueArn) {
      return targets.queues.has(queueArn) ? targets.queues.get(queueArn) : 'The destination queue does not exist';
    },
    async sendToQueue(queueArn, body) {
      refuseIfAsked();
      targets.queueMessages.push({ queueArn, body });
    },
  };
  const refuseIfAsked = () => {
    if (targets.refuseNext <= 0) return;
    targets.refuseNext -= 1;
    throw new AwsError('ServiceUnavailable', 'The local stack is still starting.', 503);
  };
  return targets;
}

export function recordingHooks(): RecordedHooks {
  const hooks: RecordedHooks = {
    events: [],
    buses: new Map(),
    executions: [],
    messages: [],
    notifications: recordingNotifications(),
    async putEvents(entries, sender) {
      hooks.events.push(...entries.map((entry) => ({ ...entry, account: sender.accountId })));
    },
    eventBus(busArn) {
      if (hooks.buses.has(busArn)) {
        const policy = hooks.buses.get(busArn);
        return policy ? { policy } : {};
      }
      return busArn.endsWith(':event-bus/default') ? {} : undefined;
    },
    async startExecution(stateMachineArn, input, name) {
      const executionName = name ?? `run-${hooks.executions.length + 1}`;
      if (hooks.executions.some((execution) => execution.name === executionName)) {
        throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionName}'`, 400);
      }
      hooks.executions.push({ stateMachineArn, input, name: executionName });
      const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + `:${executionName}`;
      return { executionArn, startDate: new Date('2030-01-02T03:04:05Z') };
    },
    async describeExecution(executionArn) {
      const found = hooks.executions.find((execution) => executionArn.endsWith(`:${execution.name}`));
      return found ? { status: 'SUCCEEDED', output: found.input } : undefined;
    },
    async sendMessages(queueUrl, bodies) {
      hooks.messages.push({ queueUrl, bodies });
    },
    // Run-time queues and rules are the stack's (test/local/runtime/ tests them); the bare endpoint has none.
    queues: {
      createQueue: () => {
        throw new AwsError('UnsupportedOperation', 'No queues behind this endpoint.', 400);
      },
      receive: () => [],
      delete: () => undefined,
    },
    rules: {
      putRule: () => {
        throw new AwsError('ResourceNotFoundException', 'No buses behind this endpoint.', 400);
      },
      putTargets: () => undefined,
      removeTargets: () => undefined,
      deleteRule: () => undefined,
    },
  };
  return hooks;
}

export interface Fixture {
  endpoint: AwsEndpoint;
  dataDir: string;
  hooks: RecordedHooks;
  /** Moves the endpoint's clock (sessions expire by it); signing clients must follow with clockOffsetMs. */
  advanceClock(ms: number): void;
  clockOffsetMs(): number;
  stop(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-aws-'));
  const hooks = recordingHooks();
  let offset = 0;
  const endpoint = await startAwsEndpoint({ port: 0, dataDir, hooks, now: () => Date.now() + offset });
  return {
    endpoint,
    dataDir,
    hooks,
    advanceClock: (ms) => void (offset += ms),
    clockOffsetMs: () => offset,
    async stop() {
      await endpoint.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function rootCredentials(accountId: string): AwsCredentialIdentity {
  return { accessKeyId: `LOCAL${accountId}`, secretAccessKey: 'local' };
}

/** Client settings every SDK client here shares: our endpoint, one attempt (errors surface as-is). */
export function clientConfig(fixture: Fixture, credentials: AwsCredentialIdentity) {
  return {
    endpoint: fixture.endpoint.url,
    region: REGION,
    credentials,
    maxAttempts: 1,
    systemClockOffset: fixture.clockOffsetMs(),
  };
}

export const allowAll = (action: string, resource = '*'): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
});

export const trustAccount = (accountId: string, externalId?: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: 'sts:AssumeRole',
      ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
    },
  ],
});

/** A trust policy that lets an AWS service (Lambda by default) assume the role, as a function's execution role has. */
export const trustService = (servicePrincipal = 'lambda.amazonaws.com'): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: servicePrincipal }, Action: 'sts:AssumeRole' }],
});

/** A session of a role whose trust policy allows Lambda, issued as Lambda gets one for a function. */
export function serviceSession(fixture: Fixture, roleArn: string): AwsCredentialIdentity {
  const session = fixture.endpoint.assumeRoleAsService({
    roleArn,
    servicePrincipal: 'lambda.amazonaws.com',
    sessionName: 'test-function',
  });
  return {
    accessKeyId: session.accessKeyId,
    secretAccessKey: session.secretAccessKey,
    sessionToken: session.sessionToken,
  };
}

let functionRoles = 0;

/**
 * A non-root caller of `accountId`: a session of a new role with these permissions (sts:AssumeRole
 * on anything by default), as a platform function has. AWS refuses AssumeRole to root callers.
 */
export async function functionSession(
  fixture: Fixture,
  permissions: PolicyDocument = allowAll('sts:AssumeRole'),
  accountId = PLATFORM,
): Promise<AwsCredentialIdentity> {
  functionRoles += 1;
  return serviceSession(
    fixture,
    await createRole(fixture, accountId, `function-${functionRoles}`, trustService(), permissions),
  );
}

/** Creates a role in `accountId` with a trust policy and one attached managed policy. */
export async function createRole(
  fixture: Fixture,
  accountId: string,
  roleName: string,
  trust: PolicyDocument,
  permissions?: PolicyDocument,
): Promise<string> {
  const iam = new IAMClient(clientConfig(fixture, rootCredentials(accountId)));
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  if (permissions) {
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: `${roleName}-policy`, PolicyDocument: JSON.stringify(permissions) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.Policy?.Arn }));
  }
  return role.Role?.Arn ?? '';
}

/** Assumes a role with the given credentials and returns the session credentials. */
export async function assumeRole(
  fixture: Fixture,
  credentials: AwsCredentialIdentity,
  roleArn: string,
  extra: { ExternalId?: string; Policy?: string; DurationSeconds?: number } = {},
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(clientConfig(fixture, credentials));
  const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test-session', ...extra }));
  const issued = answer.Credentials;
  if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken)
    throw new Error('AssumeRole returned no credentials');
  return {
    accessKeyId: issued.AccessKeyId,
    secretAccessKey: issued.SecretAccessKey,
    sessionToken: issued.SessionToken,
  };
}

/**
 * A second KMS over the state the endpoint persisted (keys, roles, policies), to call what S3 asks
 * of KMS directly; it also proves keys and roles survive a restart.
 */
export function reopenKms(fixture: Fixture): LocalKms {
  const store = createIamStore(fixture.dataDir, Date.now);
  return createKms({
    dataDir: fixture.dataDir,
    authorizer: createAuthorizer((caller) => store.identityPoliciesOf(caller)),
    now: Date.now,
    roleExists: (arn) => store.findRoleByArn(arn) !== undefined,
  });
}

/** Runs a call that must fail and returns the AWS error name and HTTP status. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const err = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

/** Polls until the check passes or the time is up; answers the last value. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
