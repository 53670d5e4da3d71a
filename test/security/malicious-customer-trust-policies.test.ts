/**
 * Attacker: a malicious (or careless) customer who writes their role's trust policy. Validation
 * must refuse every trust policy that does not pin the integration's own external ID (a wildcard,
 * a condition that any ID meets, a second statement), probing with a fresh ID shaped like real
 * ones under the real session name; and a role so trusted cannot be taken over by another tenant
 * who names the same bucket.
 */
import { STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { checkExternalIdEnforced } from '#shared/validation/role-checks';
import { actAsFunctions } from '../support/function-roles';
import { assumeRoleCalls } from '../support/local-stack';
import { createIntegration, failedStage, setRoleAndWait } from '../support/customer';
import { platformCluster, platformProject, type Project } from '../support/platform';
import { PLATFORM_ROOT, trustPlus, trustWith, validateWithTrust } from './support/customers';
import { REGION } from './support/tenants';

// The external-ID check runs in this process in one test, as the validation stage's role.
await actAsFunctions(['runValidationStage']);

let project: Project;
beforeAll(async () => {
  project = await platformProject();
});

const EXTERNAL_ID_SHAPE = /^s3i-[A-Za-z0-9_-]{32}$/;

describe('trust policies that do not pin the external ID', () => {
  const tooBroad: Record<string, (setup: Parameters<typeof trustWith>[0]) => ReturnType<typeof trustWith>> = {
    'no condition at all': (setup) => trustWith(setup, undefined),
    'StringLike sts:ExternalId "s3i-*" (one role for every integration of the service)': (setup) =>
      trustWith(setup, { StringLike: { 'sts:ExternalId': 's3i-*' } }),
    'StringLike with the exact shape of the service ids (s3i- and 32 ?)': (setup) =>
      trustWith(setup, { StringLike: { 'sts:ExternalId': `s3i-${'?'.repeat(32)}` } }),
    'StringLike sts:ExternalId "*"': (setup) => trustWith(setup, { StringLike: { 'sts:ExternalId': '*' } }),
    'ForAnyValue:StringLike "s3i-*"': (setup) =>
      trustWith(setup, { 'ForAnyValue:StringLike': { 'sts:ExternalId': ['s3i-*'] } }),
    'StringNotEquals a value nobody sends': (setup) =>
      trustWith(setup, { StringNotEquals: { 'sts:ExternalId': 'nobody-sends-this' } }),
    'Null sts:ExternalId false (any id at all)': (setup) => trustWith(setup, { Null: { 'sts:ExternalId': 'false' } }),
    'Principal "*" (the platform account among everyone) with StringLike "s3i-*"': (setup) =>
      trustWith(setup, { StringLike: { 'sts:ExternalId': 's3i-*' } }, { AWS: '*' }),
    'the exact id in one statement and a wildcard in a second one': (setup) =>
      trustPlus(setup, {
        Effect: 'Allow',
        Principal: { AWS: PLATFORM_ROOT },
        Action: 'sts:AssumeRole',
        Condition: { StringLike: { 'sts:ExternalId': 's3i-*' } },
      }),
    'a wildcard id that excludes sessions named like the old probe': (setup) =>
      trustWith(setup, {
        StringLike: { 'sts:ExternalId': 's3i-*' },
        StringNotLike: { 'sts:RoleSessionName': ['*external-id-check*', '*-check'] },
      }),
  };

  for (const [name, trust] of Object.entries(tooBroad)) {
    it(`${name}: validation fails at EXTERNAL_ID_ENFORCED and the integration is not ACTIVE`, async () => {
      const { view } = await validateWithTrust(project, (created) => trust(created.setup));
      const stage = failedStage(view);
      expect(stage).toMatchObject({ name: 'EXTERNAL_ID_ENFORCED', code: 'EXTERNAL_ID_NOT_ENFORCED' });
      expect(stage.message).toContain('StringEquals');
    });
  }

  it(
    'probes with a fresh id of exactly the shape of real ids, under the same session name as the real validation ' +
      'session',
    async () => {
      const { roleArn, created } = await validateWithTrust(project, (integration) => integration.setup.trustPolicy);
      await setRoleAndWait(project, created.integrationId, roleArn);
      const calls = await assumeRoleCalls(roleArn);
      const probes = calls.filter((call) => call.externalId !== created.externalId);
      const real = calls.filter((call) => call.externalId === created.externalId);
      expect(probes).toHaveLength(2);
      for (const probe of probes) {
        expect(probe.externalId).toMatch(EXTERNAL_ID_SHAPE);
        expect(probe.result).toBe('AccessDenied');
        expect(probe.roleSessionName).toBe(real[0]?.roleSessionName);
      }
      expect(probes[0]?.externalId).not.toBe(probes[1]?.externalId);
    },
  );

  it('counts only AccessDenied as "enforced": another STS answer fails the stage with what to fix', async () => {
    // The local STS never answers AssumeRole with RegionDisabledException (STS turned off in a region
    // by the customer's account): the one SDK call is faked here, for this stage only.
    const refusal = new STSServiceException({
      name: 'RegionDisabledException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'STS is not activated in this region for account',
    });
    const send = vi.spyOn(STSClient.prototype, 'send').mockRejectedValueOnce(refusal);
    try {
      const outcome = await checkExternalIdEnforced({
        integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
        roleArn: 'arn:aws:iam::222222222222:role/any',
        externalId: 's3i-0123456789abcdefghijklmnopqrstuv',
        bucketName: 'any-bucket',
        bucketOwnerAccountId: '222222222222',
        region: REGION,
      });
      expect(outcome.passed).toBe(false);
      if (!outcome.passed) {
        expect(outcome.failure).toMatchObject({ stage: 'EXTERNAL_ID_ENFORCED', code: 'EXTERNAL_ID_NOT_ENFORCED' });
        expect(outcome.failure.message).toMatch(/RegionDisabledException.*instead of AccessDenied/);
      }
    } finally {
      send.mockRestore();
    }
  });
});

describe("another tenant's integration on a shared role", () => {
  it('a role trusting "s3i-*" for its own integration: another tenant naming its bucket cannot take it', async () => {
    const victimProject = await platformProject();
    const {
      view: victimView,
      roleArn,
      created: victimCreated,
    } = await validateWithTrust(victimProject, (created) =>
      trustWith(created.setup, { StringLike: { 'sts:ExternalId': 's3i-*' } }),
    );
    expect(victimView.status).toBe('FAILED');
    const attacker = await platformProject();
    const clusterId = await platformCluster(attacker, { region: REGION });
    const stolen = await createIntegration(attacker, { region: REGION, bucketName: victimCreated.bucketName });
    const view = await setRoleAndWait(attacker, stolen.integrationId, roleArn);
    expect(failedStage(view)).toMatchObject({ name: 'EXTERNAL_ID_ENFORCED', code: 'EXTERNAL_ID_NOT_ENFORCED' });
    const rule = await attacker.client.put(
      `/v1/projects/${attacker.projectId}/clusters/${clusterId}/backup-export-rule`,
      { integrationId: stolen.integrationId, directory: 'stolen' },
    );
    expect(rule.status).toBe(409);
  });
});
