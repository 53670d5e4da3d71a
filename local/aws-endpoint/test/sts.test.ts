/**
 * STS through the real client: GetCallerIdentity for root and assumed-role callers, and AssumeRole as AWS
 * decides it (trust policies, external IDs, session names and policies, expiry) and as the endpoint records it.
 */
import { GetCallerIdentityCommand, STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { IAMClient, GetRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  CUSTOMER,
  OTHER,
  PLATFORM,
  allowAll,
  assumeRole,
  clientConfig,
  createRole,
  failure,
  functionSession,
  rootCredentials,
  serviceSession,
  startFixture,
  trustAccount,
  trustService,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
let customerRole: string;
/** The platform's caller: a session of a platform role allowed sts:AssumeRole, as a function has. */
let platformFn: AwsCredentialIdentity;
const EXTERNAL_ID = 'integ-ext-0123456789';

beforeAll(async () => {
  fixture = await startFixture();
  customerRole = await createRole(
    fixture,
    CUSTOMER,
    'platform-export',
    trustAccount(PLATFORM, EXTERNAL_ID),
    allowAll('s3:*'),
  );
  platformFn = await functionSession(fixture);
});
afterAll(() => fixture.stop());

const sts = (credentials = platformFn) => new STSClient(clientConfig(fixture, credentials));
const assumeCustomerRole = (input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}) =>
  sts().send(
    new AssumeRoleCommand({ RoleArn: customerRole, RoleSessionName: 'validation', ExternalId: EXTERNAL_ID, ...input }),
  );

describe('GetCallerIdentity', () => {
  it('names the root principal for root keys', async () => {
    const identity = await sts(rootCredentials(CUSTOMER)).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: CUSTOMER, Arn: `arn:aws:iam::${CUSTOMER}:root`, UserId: CUSTOMER });
  });

  it('names the assumed-role session for temporary credentials', async () => {
    const credentials = await assumeRole(fixture, platformFn, customerRole, { ExternalId: EXTERNAL_ID });
    const identity = await sts(credentials).send(new GetCallerIdentityCommand({}));
    const role = await new IAMClient(clientConfig(fixture, rootCredentials(CUSTOMER))).send(
      new GetRoleCommand({ RoleName: 'platform-export' }),
    );
    expect(identity.Account).toBe(CUSTOMER);
    expect(identity.Arn).toBe(`arn:aws:sts::${CUSTOMER}:assumed-role/platform-export/test-session`);
    expect(identity.UserId).toBe(`${role.Role?.RoleId}:test-session`);
  });
});

describe('AssumeRole', () => {
  it('issues credentials when the trust policy allows the caller with the right external id', async () => {
    const answer = await assumeCustomerRole({ DurationSeconds: 900 });
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(answer.Credentials?.SessionToken).toBeTruthy();
    const lifetime = (answer.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(890_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    expect(answer.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${CUSTOMER}:assumed-role/platform-export/validation`);
  });

  it('refuses a different external id, and a missing one, with AccessDenied naming caller and role', async () => {
    const wrong = await failure(assumeCustomerRole({ ExternalId: 'some-other-id' }));
    expect(wrong).toMatchObject({ name: 'AccessDenied', status: 403 });
    const caller = (await sts().send(new GetCallerIdentityCommand({}))).Arn;
    expect(wrong.message).toBe(
      `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${customerRole}`,
    );
    expect(await failure(assumeCustomerRole({ ExternalId: undefined }))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it(
    'succeeds without an external id when the trust policy does not require one (what validation must ' + 'detect)',
    async () => {
      const lax = await createRole(fixture, CUSTOMER, 'lax-role', trustAccount(PLATFORM));
      await expect(assumeRole(fixture, platformFn, lax, { ExternalId: 'random-probe-id' })).resolves.toBeTruthy();
    },
  );

  it('refuses a principal from another account', async () => {
    const stranger = await functionSession(fixture, allowAll('sts:AssumeRole'), OTHER);
    const denied = await failure(
      sts(stranger).send(
        new AssumeRoleCommand({ RoleArn: customerRole, RoleSessionName: 'x1', ExternalId: EXTERNAL_ID }),
      ),
    );
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('refuses a session of another role when the trust policy names one role ARN', async () => {
    const platformRole = await createRole(fixture, PLATFORM, 'export-fn', trustService(), allowAll('sts:AssumeRole'));
    const otherRole = await createRole(fixture, PLATFORM, 'other-fn', trustService(), allowAll('sts:AssumeRole'));
    const pinned = await createRole(fixture, CUSTOMER, 'pinned', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: platformRole }, Action: 'sts:AssumeRole' }],
    });
    const exportFn = serviceSession(fixture, platformRole);
    const otherFn = serviceSession(fixture, otherRole);
    await expect(assumeRole(fixture, exportFn, pinned)).resolves.toBeTruthy();
    expect(await failure(assumeRole(fixture, otherFn, pinned))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it("needs the caller's own identity policy to allow sts:AssumeRole on the role", async () => {
    const credentials = await functionSession(fixture, allowAll('s3:*'));
    const denied = await failure(assumeRole(fixture, credentials, customerRole, { ExternalId: EXTERNAL_ID }));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('refuses root callers, as AWS does, whatever the trust policy says', async () => {
    const denied = await failure(
      sts(rootCredentials(PLATFORM)).send(
        new AssumeRoleCommand({ RoleArn: customerRole, RoleSessionName: 'root', ExternalId: EXTERNAL_ID }),
      ),
    );
    expect(denied).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: 'Roles may not be assumed by root accounts.',
    });
    const ownRole = await createRole(fixture, CUSTOMER, 'own-role', trustAccount(CUSTOMER), allowAll('s3:*'));
    expect(await failure(assumeRole(fixture, rootCredentials(CUSTOMER), ownRole))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it('answers a role that does not exist exactly like a refusing one', async () => {
    const denied = await failure(assumeCustomerRole({ RoleArn: `arn:aws:iam::${CUSTOMER}:role/does-not-exist` }));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(denied.message).toContain(`on resource: arn:aws:iam::${CUSTOMER}:role/does-not-exist`);
  });

  it('validates RoleSessionName and DurationSeconds', async () => {
    expect(await failure(assumeCustomerRole({ RoleSessionName: 'x' }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
    expect(await failure(assumeCustomerRole({ RoleSessionName: 'has space' }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
    expect(await failure(assumeCustomerRole({ DurationSeconds: 899 }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
    expect(await failure(assumeCustomerRole({ DurationSeconds: 43201 }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
    // Within 900..43200 but above the role's MaxSessionDuration (default one hour).
    expect(await failure(assumeCustomerRole({ DurationSeconds: 7200 }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
  });

  it('rejects a malformed session policy', async () => {
    // The STS model names the MalformedPolicyDocument error shape ...Exception.
    expect(await failure(assumeCustomerRole({ Policy: '{"Statement": "nope"}' }))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      status: 400,
    });
  });

  it('narrows a session to its session policy', async () => {
    const platformRole = await createRole(
      fixture,
      PLATFORM,
      'chaining-fn',
      trustAccount(PLATFORM),
      allowAll('sts:AssumeRole'),
    );
    const narrowed = await assumeRole(fixture, platformFn, platformRole, {
      Policy: JSON.stringify(allowAll('s3:GetObject')),
    });
    const full = await assumeRole(fixture, platformFn, platformRole);
    await expect(assumeRole(fixture, full, customerRole, { ExternalId: EXTERNAL_ID })).resolves.toBeTruthy();
    const denied = await failure(assumeRole(fixture, narrowed, customerRole, { ExternalId: EXTERNAL_ID }));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('refuses session credentials once they have expired', async () => {
    const credentials = await assumeRole(fixture, platformFn, customerRole, {
      ExternalId: EXTERNAL_ID,
      DurationSeconds: 900,
    });
    await expect(sts(credentials).send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
    fixture.advanceClock(901_000);
    try {
      const expired = await failure(sts(credentials).send(new GetCallerIdentityCommand({})));
      expect(expired).toMatchObject({ name: 'ExpiredToken', status: 400 });
    } finally {
      fixture.advanceClock(-901_000);
    }
  });

  it('refuses a session token that does not belong to the access key', async () => {
    const credentials = await assumeRole(fixture, platformFn, customerRole, { ExternalId: EXTERNAL_ID });
    const tampered = { ...credentials, sessionToken: `${credentials.sessionToken?.slice(0, -4)}AAAA` };
    expect(await failure(sts(tampered).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });
});

describe('the AssumeRole journal (GET /_local/sts/assume-role-calls)', () => {
  it(
    'records every call on a role with its session name, external id, session policy and result, and no ' +
      'credentials',
    async () => {
      const role = await createRole(
        fixture,
        OTHER,
        'journalled',
        trustAccount(PLATFORM, EXTERNAL_ID),
        allowAll('s3:*'),
      );
      const policy = JSON.stringify(allowAll('s3:GetObject', 'arn:aws:s3:::b/*'));
      await sts().send(
        new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'narrowed', ExternalId: EXTERNAL_ID, Policy: policy }),
      );
      await failure(
        sts().send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'probe', ExternalId: 'another-id' })),
      );
      const answer = await fetch(
        `${fixture.endpoint.url}/_local/sts/assume-role-calls?roleArn=${encodeURIComponent(role)}`,
      );
      const { calls } = (await answer.json()) as { calls: Array<Record<string, unknown>> };
      // The caller is a platform function's session: root may not AssumeRole.
      const { Arn: callerArn } = await sts().send(new GetCallerIdentityCommand({}));
      expect(callerArn).toMatch(new RegExp(`^arn:aws:sts::${PLATFORM}:assumed-role/`));
      expect(calls).toEqual([
        expect.objectContaining({
          callerArn,
          roleArn: role,
          roleSessionName: 'narrowed',
          externalId: EXTERNAL_ID,
          sessionPolicy: JSON.parse(policy),
          result: 'Granted',
        }),
        expect.objectContaining({ roleSessionName: 'probe', externalId: 'another-id', result: 'AccessDenied' }),
      ]);
      expect(calls[1]).not.toHaveProperty('sessionPolicy');
      expect(JSON.stringify(calls)).not.toMatch(/ASIA|SecretAccessKey|SessionToken/);
    },
  );
});
