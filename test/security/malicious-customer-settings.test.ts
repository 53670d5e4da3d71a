/**
 * Attacker: a malicious customer who sends integration settings meant to change what validation
 * proved: a bucket or KMS key of another account, a PATCH that picks its own external ID, bucket,
 * region, role or status, a rotation to another integration's external ID, a trust policy that
 * keeps every ID, and directories that try to escape their folder. Each is refused, or never used
 * by work until validation proves it, and nothing else is written.
 */
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIntegration } from '#shared/integrations/integration-store';
import { saveNewRotation } from '#shared/integrations/rotation-store';
import { actAsFunctions } from '../support/function-roles';
import { clientsFor, uniqueAccountId } from '../support/local-stack';
import {
  createBucket,
  createIntegration,
  createKmsKey,
  customerSetUp,
  failedStage,
  setRoleAndWait,
  uniqueBucketName,
  waitForResult,
} from '../support/customer';
import { platformCluster, platformProject, projectItems, type Project } from '../support/platform';
import { PLATFORM_ROOT } from './support/customers';
import { activeIntegration, REGION } from './support/tenants';

// The rotation store runs in this process, as the role of the function that starts a rotation.
await actAsFunctions(['startExternalIdRotation']);

let project: Project;
beforeAll(async () => {
  project = await platformProject();
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
