/**
 * Attacker: a malicious (or careless) customer, who controls their own AWS account: its trust
 * policies, roles, buckets and KMS keys, and the integration settings they send. Validation must
 * refuse every trust policy that would let another tenant's integration act through the role, and
 * the workers must never use the role more widely than validation proved.
 */
import {
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { loadIntegration, beginValidation } from '#shared/integrations/integration-store';
import { saveNewRotation } from '#shared/integrations/rotation-store';
import { customerS3Client } from '#shared/customer-bucket/customer-s3';
import { DENY_ALL_SESSION_POLICY } from '#shared/customer-bucket/session-policy';
import { CustomerWrites } from '#shared/exports/worker/customer-writes';
import { checkReadAccess } from '#shared/validation/bucket-checks';
import { checkExternalIdEnforced } from '#shared/validation/role-checks';
import { HOUR_MS } from '#shared/forwarding/audit-log-keys';
import { DIGEST_GRACE_MS, writeDueDigests } from '#shared/forwarding/digests/write-digests';
import { enableForwarding } from '../forwarding/support';
import { assumeRoleCalls, clientsFor, uniqueAccountId } from '../support/local-stack';
import {
  createBucket,
  createIntegration,
  createKmsKey,
  createRole,
  customerSetUp,
  failedStage,
  setRoleAndWait,
  uniqueBucketName,
  waitForResult,
} from '../support/customer';
import { platformCluster, platformProject, projectItems, type Project } from '../support/platform';
import { smallFiles } from '../exports/support/backup-data';
import {
  announceBackup as announceFiles,
  exportWorld,
  finished,
  platformBackup,
  requestExport,
  storedJob,
  waitForJob,
} from '../exports/support/export-stack';
import { lambdaContext, runExportHandlersHere, sqsEvent, startInProcess } from '../exports/support/in-process';
import { activeTarget, PLATFORM_ROOT, trustPlus, trustWith, validateWithTrust } from './support/customers';
import { startHostileS3, withS3At } from './support/hostile-s3';
import { activeIntegration, REGION } from './support/tenants';

// Export messages of the handlers run in this process are parked, so a test can run the worker itself.
const parked = await runExportHandlersHere([
  'runExportJob',
  'startBackupExport',
  'runValidationStage',
  'signAuditLogDigests',
]);

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

describe('the role after validation', () => {
  it(
    'a 403 in the middle of an export is diagnosed with an AssumeRole narrowed by a session policy, never with the ' +
      'full role',
    async () => {
      const world = await exportWorld();
      const { iam } = clientsFor(world.accountId);
      const roleName = world.roleArn.split('/').pop() ?? '';
      const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
      for (const policy of AttachedPolicies)
        await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
      const backup = await platformBackup(world.clusterId, smallFiles('diag', 2));
      await announceFiles(world.project, world.clusterId, backup);
      const jobId = await requestExport(world, backup, 'diagnosed');
      const job = await waitForJob(world, jobId, finished);
      expect(job).toMatchObject({ status: 'FAILED', error: { code: 'WRITE_ACCESS_DENIED' } });
      const calls = (await assumeRoleCalls(world.roleArn)).filter((call) => call.result === 'Granted');
      const checks = calls.filter((call) => call.roleSessionName.endsWith('-export-check'));
      expect(checks.length).toBeGreaterThan(0);
      // The diagnosis only asks whether STS still grants the role: its session may do nothing at all.
      for (const check of checks) expect(check.sessionPolicy).toEqual(JSON.parse(DENY_ALL_SESSION_POLICY));
      for (const call of calls)
        expect(call.sessionPolicy, `${call.roleSessionName} had no session policy`).toBeDefined();
    },
  );

  it('a customer with an ACTIVE integration gets exactly the probe-prefix session during validation', async () => {
    const { roleArn, integration } = await activeIntegration(project);
    const validation = (await assumeRoleCalls(roleArn)).filter((call) => call.externalId === integration.externalId);
    expect(validation.length).toBeGreaterThan(0);
    for (const call of validation)
      expect(JSON.stringify(call.sessionPolicy)).toContain(`.s3-integration-probe/${integration.integrationId}/`);
  });
});

describe('a role change that validation has not proved yet', () => {
  it('a running export keeps the validated role and bucket owner: it never assumes the pending role', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, smallFiles('pending', 3));
    await announceFiles(world.project, world.clusterId, backup);
    // Started in this process: its message is parked, so the export has not run yet.
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'pending');

    // The customer names a new role in another account, which trusts the platform without any
    // external ID: validation would refuse it, and while that validation runs, it is only pending.
    const pending = await createRole(uniqueAccountId(), {
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: PLATFORM_ROOT }, Action: 'sts:AssumeRole' }],
      },
      iamPolicy: world.created.setup.iamPolicy,
    });
    const integration = await loadIntegration(world.project.projectId, world.integration.integrationId);
    if (!integration) throw new Error('integration gone');
    const runId = `${integration.integrationId}-pending-${randomBytes(3).toString('hex')}`;
    const now = new Date().toISOString();
    expect(await beginValidation(integration, { runId, startedAt: now, roleArn: pending, staleBefore: now })).toEqual({
      began: true,
    });

    const message = parked.sent.slice(sentBefore).find((body) => body.includes(jobId));
    expect(message).toBeDefined();
    await runExportJob(sqsEvent(message ?? ''), lambdaContext(120_000) as Context);
    const job = await storedJob(world.project.projectId, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(await assumeRoleCalls(pending)).toEqual([]);
  });
});

describe('a bucket that answers without end', () => {
  const MiB = 1024 * 1024;

  it('a listing whose XML never ends is cut off at a bounded size, quickly, instead of filling memory', async () => {
    const { target } = await activeTarget(project);
    const hostile = await startHostileS3({ listing: 'endless', objects: 'endless' });
    try {
      const started = Date.now();
      const error = await withS3At(hostile.url, async () => {
        const { client } = customerS3Client(target, { prefixes: ['x/'], objectActions: ['s3:GetObject'] }, 'attack');
        return client.send(new ListObjectsV2Command({ Bucket: target.bucketName, Prefix: 'x/' })).then(
          () => undefined,
          (failure: unknown) => failure as Error,
        );
      });
      expect(error?.message).toMatch(/larger than \d+ bytes/);
      expect(hostile.bytesSent()).toBeLessThan(64 * MiB);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await hostile.close();
    }
  });

  it('a probe object whose body never ends fails READ_ACCESS with PROBE_MISMATCH after a bounded read', async () => {
    const { target } = await activeTarget(project);
    const hostile = await startHostileS3({ listing: 'empty', objects: 'endless' });
    try {
      const outcome = await withS3At(hostile.url, () =>
        checkReadAccess({ ...target, runId: `${target.integrationId}-hostile` }),
      );
      expect(outcome.passed).toBe(false);
      if (!outcome.passed) expect(outcome.failure).toMatchObject({ stage: 'READ_ACCESS', code: 'PROBE_MISMATCH' });
      expect(hostile.bytesSent()).toBeLessThan(64 * MiB);
    } finally {
      await hostile.close();
    }
  });

  it('a digest already at its key, read back from a bucket that trickles it, is given up at its bound', async () => {
    const owner = await platformProject();
    const clusterId = await platformCluster(owner, { region: REGION });
    const { integration } = await activeIntegration(owner);
    await enableForwarding(owner, clusterId, integration.integrationId, 'trickled');
    const hostile = await startHostileS3({ listing: 'empty', objects: 'trickle', writes: 'keyTaken' });
    try {
      const started = Date.now();
      const outcome = await withS3At(hostile.url, () =>
        writeDueDigests(
          { projectId: owner.projectId, clusterId },
          { now: Date.now() + 2 * HOUR_MS + DIGEST_GRACE_MS, maxDigests: 1, bucketTimeoutMs: 2_000 },
        ),
      );
      // The read began (bytes trickled in), and ended at the bound; the digest stays due for a later run.
      expect(hostile.bytesSent()).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(outcome).toMatchObject({ status: 'FAILED', written: 0, problemCode: 'DELIVERY_DELAYED' });
    } finally {
      await hostile.close();
    }
  });

  it(
    "the export's final check reads a bounded number of pages however many keys the customer put in the export " +
      'folder',
    async () => {
      const { target, accountId } = await activeTarget(project);
      const prefix = 'crowded/cl-1/bk-1/';
      const customerS3 = clientsFor(accountId).s3;
      const own = `${prefix}data/file.bin`;
      await customerS3.send(new PutObjectCommand({ Bucket: target.bucketName, Key: own, Body: 'abc' }));
      // The customer's own keys, before ours in key order.
      const junk = Array.from({ length: 450 }, (_, index) => `${prefix}a-junk-${String(index).padStart(4, '0')}`);
      for (let start = 0; start < junk.length; start += 50) {
        await Promise.all(
          junk
            .slice(start, start + 50)
            .map((key) => customerS3.send(new PutObjectCommand({ Bucket: target.bucketName, Key: key, Body: 'j' }))),
        );
      }
      const writes = new CustomerWrites({ ...target }, prefix);
      const send = vi.spyOn(S3Client.prototype, 'send');
      try {
        const { sizes, complete } = await writes.sizesOf(prefix, new Set([own]), AbortSignal.timeout(20_000), {
          pageSize: 100,
          extraPages: 2,
        });
        const listings = send.mock.calls.filter(([command]) => command instanceof ListObjectsV2Command).length;
        expect(listings).toBeLessThanOrEqual(3);
        expect(complete).toBe(false);
        expect([...sizes.keys()].every((key) => key === own)).toBe(true);
      } finally {
        send.mockRestore();
      }
    },
  );
});

describe("resources that are not the customer's own", () => {
  it("a bucket of another account (not the role's account): validation fails at BUCKET_LOCATION", async () => {
    const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('owned') });
    await createBucket(uniqueAccountId(), created.bucketName, REGION);
    const { roleArn } = await customerSetUp(created, { createBucket: false });
    expect(failedStage(await setRoleAndWait(project, created.integrationId, roleArn))).toMatchObject({
      name: 'BUCKET_LOCATION',
      code: 'BUCKET_ACCESS_DENIED',
    });
  });

  it('a KMS key of another account: validation fails at WRITE_ACCESS with KMS_ACCESS_DENIED', async () => {
    const foreignKey = await createKmsKey(uniqueAccountId(), REGION);
    const created = await createIntegration(project, {
      region: REGION,
      bucketName: uniqueBucketName('kms'),
      kmsKeyArn: foreignKey,
    });
    const { roleArn } = await customerSetUp(created);
    expect(failedStage(await setRoleAndWait(project, created.integrationId, roleArn))).toMatchObject({
      name: 'WRITE_ACCESS',
      code: 'KMS_ACCESS_DENIED',
    });
  });
});

describe('edits that would change what validation proved', () => {
  it(
    'PATCH cannot choose the external ID, swap the bucket, region or role, or set the status: 400 naming the ' +
      'field, nothing written',
    async () => {
      const { integration } = await activeIntegration(project);
      const one = `${project.base}/${integration.integrationId}`;
      const before = JSON.stringify(await projectItems(project.projectId));
      for (const [field, value] of Object.entries({
        externalId: 's3i-chosen-by-the-customer',
        bucketName: 'someone-elses-bucket',
        region: 'us-west-2',
        roleArn: 'arn:aws:iam::222222222222:role/other',
        status: 'ACTIVE',
        validated: { roleArn: 'arn:aws:iam::222222222222:role/other' },
        bucketOwnerAccountId: '222222222222',
      })) {
        const answer = await project.client.patch(one, { name: 'innocent', [field]: value });
        expect(answer.status, `${field}: ${answer.text}`).toBe(400);
        expect((answer.json as { error: { details: Array<{ field: string }> } }).error.details[0]?.field).toBe(field);
      }
      expect(JSON.stringify(await projectItems(project.projectId))).toBe(before);
    },
  );

  it(
    'a KMS key of another account set by PATCH is never used by work: the key awaits validation, which fails, and ' +
      'the proved settings stay',
    async () => {
      const { integration } = await activeIntegration(project);
      const foreignKey = await createKmsKey(uniqueAccountId(), REGION);
      const edited = await project.client.patch(`${project.base}/${integration.integrationId}`, {
        kmsKeyArn: foreignKey,
      });
      expect(edited.json).toMatchObject({ status: 'ACTIVE', awaitingValidation: ['kmsKeyArn'] });
      expect((await project.client.post(`${project.base}/${integration.integrationId}/validate`)).status).toBe(202);
      const view = await waitForResult(project, integration.integrationId);
      expect(view).toMatchObject({ status: 'ACTIVE', validation: { result: 'FAILED' } });
      expect(view.validation?.stages.at(-1)).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
      const stored = await loadIntegration(project.projectId, integration.integrationId);
      expect(stored?.validated).not.toHaveProperty('kmsKeyArn');
    },
  );
});

describe('external-ID rotation', () => {
  it(
    "a rotation can never issue an ID another integration has: the tombstone's condition refuses it and nothing " +
      'changes',
    async () => {
      const { integration } = await activeIntegration(project);
      const other = await activeIntegration(project);
      const stored = await loadIntegration(project.projectId, integration.integrationId);
      if (!stored) throw new Error('integration gone');
      await expect(
        saveNewRotation(stored, {
          status: 'PENDING',
          newExternalId: other.integration.externalId,
          oldExternalId: stored.externalId,
          startedAt: new Date().toISOString(),
        }),
      ).rejects.toThrow();
      expect(await loadIntegration(project.projectId, integration.integrationId)).toEqual(stored);
    },
  );

  it(
    'a trust policy that keeps both IDs forever and adds a wildcard still fails EXTERNAL_ID_ENFORCED: the rotation ' +
      'does not switch',
    async () => {
      const { integration, accountId, roleArn } = await activeIntegration(project);
      const one = `${project.base}/${integration.integrationId}`;
      const rotating = (await project.client.post(`${one}/external-id-rotation`)).json as {
        setup: { trustPolicy: { Statement: Array<Record<string, unknown>> } };
      };
      const trust = {
        Version: '2012-10-17',
        Statement: [
          ...rotating.setup.trustPolicy.Statement,
          {
            Effect: 'Allow',
            Principal: { AWS: PLATFORM_ROOT },
            Action: 'sts:AssumeRole',
            Condition: { StringLike: { 'sts:ExternalId': 's3i-*' } },
          },
        ],
      };
      await clientsFor(accountId).iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: roleArn.split('/').pop(),
          PolicyDocument: JSON.stringify(trust),
        }),
      );
      expect((await project.client.post(`${one}/validate`)).status).toBe(202);
      const view = await waitForResult(project, integration.integrationId);
      expect(view).toMatchObject({
        status: 'ACTIVE',
        externalId: integration.externalId,
        externalIdRotation: { status: 'PENDING' },
      });
      expect(view.validation?.stages.at(-1)).toMatchObject({
        name: 'EXTERNAL_ID_ENFORCED',
        code: 'EXTERNAL_ID_NOT_ENFORCED',
      });
    },
  );
});

describe('directory tricks', () => {
  const tricks = [
    '../escape',
    '/absolute',
    'a//b',
    'a/./b',
    'a/../b',
    '.s3-integration-probe/x',
    'a/*',
    'a?b',
    'a\\b',
    '%2e%2e/x',
    '/',
    '//',
    'x'.repeat(257),
    'caf\u00e9',
    'a\nb',
  ];

  it('every route that takes a directory refuses each trick with 400 and writes nothing', async () => {
    const { integration } = await activeIntegration(project);
    const clusterId = await platformCluster(project, { region: REGION });
    const cluster = `/v1/projects/${project.projectId}/clusters/${clusterId}`;
    const before = (await projectItems(project.projectId)).map((item) => String(item.sk)).sort();
    for (const directory of tricks) {
      for (const answer of [
        await project.client.post(`${cluster}/backups/bk-any/export`, {
          integrationId: integration.integrationId,
          directory,
        }),
        await project.client.put(`${cluster}/audit-log-forwarding`, {
          integrationId: integration.integrationId,
          directory,
        }),
        await project.client.put(`${cluster}/backup-export-rule`, {
          integrationId: integration.integrationId,
          directory,
        }),
      ]) {
        expect(answer.status, `${JSON.stringify(directory)}: ${answer.text}`).toBe(400);
      }
    }
    expect((await projectItems(project.projectId)).map((item) => String(item.sk)).sort()).toEqual(before);
  });
});
