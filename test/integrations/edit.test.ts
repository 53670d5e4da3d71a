/**
 * PATCH .../integrations/{integrationId} on the local stack, as a customer does it: a typo in the
 * name corrected (the name stays unique in the project), a description set and removed, a KMS key
 * set on an ACTIVE integration (the documents change; work keeps the validated settings until a
 * validation of the new key passes; a validation that fails leaves them serving), and the refusals.
 */
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { beginValidation, loadIntegration } from '#shared/integrations/integration-store';
import { saveEdit } from '#shared/integrations/edit-store';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { clientsFor, type ApiAnswer } from '../support/local-stack';
import { platformProject, projectItems, type Project } from '../support/platform';
import {
  createIntegration,
  createKmsKey,
  customerSetUp,
  setRoleAndWait,
  uniqueBucketName,
  waitForResult,
} from '../support/customer';

type Edited = IntegrationView & { setup: SetupDocuments };
const errorOf = (answer: ApiAnswer) =>
  (
    answer.json as {
      error: { code: string; message: string; details: Array<{ field?: string; issue: string; expected?: string }> };
    }
  ).error;
const one = (project: Project, integrationId: string) => `${project.base}/${integrationId}`;

async function activeIntegration(project: Project, region = 'us-west-2') {
  const created = await createIntegration(project, { region, bucketName: uniqueBucketName('edit') });
  const { accountId, roleArn } = await customerSetUp(created);
  const view = await setRoleAndWait(project, created.integrationId, roleArn);
  expect(view.status).toBe('ACTIVE');
  return { created, accountId, roleArn };
}

describe('PATCH an integration', () => {
  it(
    'corrects a typo in the name and sets then removes a description; the old name is free again, the new one ' +
      'taken',
    async () => {
      const project = await platformProject();
      const created = await createIntegration(project, { region: 'us-east-1', bucketName: uniqueBucketName('typo') });
      const path = one(project, created.integrationId);
      const renamed = await project.client.patch(path, {
        name: 'Nightly exprots',
        description: 'Backups of the\tproduction cluster',
      });
      expect(renamed.status, renamed.text).toBe(200);
      expect(renamed.json).toMatchObject({
        name: 'Nightly exprots',
        description: 'Backups of the\tproduction cluster',
        externalId: created.externalId,
        status: 'AWAITING_ROLE',
      });
      const fixed = (await project.client.patch(path, { name: 'Nightly exports', description: null })).json as Edited;
      expect(fixed.name).toBe('Nightly exports');
      expect(fixed).not.toHaveProperty('description');
      expect(fixed.setup.trustPolicy).toEqual(created.setup.trustPolicy);
      expect(Date.parse(fixed.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
      expect(((await project.client.get(path)).json as IntegrationView).name).toBe('Nightly exports');

      // The names it had are free, the one it has is taken (also in another case).
      expect(
        (
          await project.client.post(project.base, {
            name: created.name,
            region: 'us-east-1',
            bucketName: uniqueBucketName('old'),
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await project.client.post(project.base, {
            name: 'Nightly exprots',
            region: 'us-east-1',
            bucketName: uniqueBucketName('mid'),
          })
        ).status,
      ).toBe(201);
      const taken = await project.client.post(project.base, {
        name: 'NIGHTLY EXPORTS',
        region: 'us-east-1',
        bucketName: uniqueBucketName('new'),
      });
      expect([taken.status, errorOf(taken).code]).toEqual([409, 'NAME_TAKEN']);
      // A change of case alone keeps the reservation.
      expect((await project.client.patch(path, { name: 'nightly exports' })).status).toBe(200);
      const reservations = (await projectItems(project.projectId)).filter((item) =>
        String(item.sk).startsWith('INTEGRATION_NAME#'),
      );
      expect(
        reservations.filter((item) => item.integrationId === created.integrationId).map((item) => item.sk),
      ).toEqual(['INTEGRATION_NAME#nightly exports']);
    },
  );

  it('refuses a name another integration of the project has (409 NAME_TAKEN), and writes nothing', async () => {
    const project = await platformProject();
    const first = await createIntegration(project, { region: 'us-east-1', bucketName: uniqueBucketName('first') });
    const second = await createIntegration(project, { region: 'us-east-1', bucketName: uniqueBucketName('second') });
    const before = JSON.stringify(await projectItems(project.projectId));
    const answer = await project.client.patch(one(project, second.integrationId), {
      name: first.name.toUpperCase(),
      description: 'kept?',
    });
    expect([answer.status, errorOf(answer).code]).toEqual([409, 'NAME_TAKEN']);
    expect(errorOf(answer).message).toContain('choose another name');
    expect(JSON.stringify(await projectItems(project.projectId))).toBe(before);
  });

  it('refuses what is not editable or not valid with 400 naming the field, and writes nothing', async () => {
    const project = await platformProject();
    const created = await createIntegration(project, { region: 'us-west-2', bucketName: uniqueBucketName('bad') });
    const path = one(project, created.integrationId);
    const before = JSON.stringify(await projectItems(project.projectId));
    const cases: Array<[unknown, string]> = [
      [{}, 'body'],
      [{ externalId: 's3i-mine' }, 'externalId'],
      [{ region: 'us-east-1' }, 'region'],
      [{ bucketName: 'other-bucket' }, 'bucketName'],
      [{ roleArn: 'arn:aws:iam::222222222222:role/r' }, 'roleArn'],
      [{ status: 'ACTIVE' }, 'status'],
      [{ name: '' }, 'name'],
      [{ name: null }, 'name'],
      [{ name: ' padded' }, 'name'],
      [{ description: 'd'.repeat(513) }, 'description'],
      [{ kmsKeyArn: 'alias/exports' }, 'kmsKeyArn'],
      [{ kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/0f8b9c1e-3a4d-4f5e-9a6b-7c8d9e0f1a2b' }, 'kmsKeyArn'],
    ];
    for (const [body, field] of cases) {
      const answer = await project.client.patch(path, body);
      expect(answer.status, `${JSON.stringify(body)}: ${answer.text}`).toBe(400);
      const [detail] = errorOf(answer).details;
      expect(detail?.field, JSON.stringify(body)).toBe(field);
      expect(detail?.expected, JSON.stringify(body)).toBeTruthy();
    }
    expect(JSON.stringify(await projectItems(project.projectId))).toBe(before);
  });

  it(
    'a new KMS key on an ACTIVE integration: new documents, work keeps the validated settings, a failed validation ' +
      'leaves them serving, the fix makes the key validated',
    async () => {
      const project = await platformProject();
      const { created, accountId, roleArn } = await activeIntegration(project);
      const path = one(project, created.integrationId);
      const kmsKeyArn = await createKmsKey(accountId, 'us-west-2');

      const edited = await project.client.patch(path, { kmsKeyArn });
      expect(edited.status, edited.text).toBe(200);
      const view = edited.json as Edited;
      expect(view).toMatchObject({ status: 'ACTIVE', kmsKeyArn, awaitingValidation: ['kmsKeyArn'] });
      expect(view.setup.iamPolicy.Statement).toContainEqual({
        Sid: 'EncryptWithBucketKey',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: kmsKeyArn,
      });
      expect(((await project.client.get(`${path}/setup`)).json as SetupDocuments).iamPolicy).toEqual(
        view.setup.iamPolicy,
      );
      // Workers use what validation proved: no key yet.
      const stored = await loadIntegration(project.projectId, created.integrationId);
      expect(stored && workerTargetOf(stored)).not.toHaveProperty('kmsKeyArn');

      // Validated before the role's policy allows the key: the run fails on the key, the integration stays ACTIVE
      // on the proved settings.
      expect((await project.client.post(`${path}/validate`)).status).toBe(202);
      const refused = await waitForResult(project, created.integrationId);
      expect(refused).toMatchObject({
        status: 'ACTIVE',
        validation: { result: 'FAILED' },
        awaitingValidation: ['kmsKeyArn'],
      });
      expect(refused.validation?.stages.at(-1)).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
      const afterFailure = await loadIntegration(project.projectId, created.integrationId);
      expect(afterFailure && workerTargetOf(afterFailure)).toMatchObject({ roleArn });
      expect(afterFailure && workerTargetOf(afterFailure)).not.toHaveProperty('kmsKeyArn');

      // The customer puts the new policy on the role, validates again: the key is validated and in use.
      const roleName = (refused.roleArn ?? '').split('/').pop();
      await clientsFor(accountId).iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: 'new-documents',
          PolicyDocument: JSON.stringify(view.setup.iamPolicy),
        }),
      );
      expect((await project.client.post(`${path}/validate`)).status).toBe(202);
      const passed = await waitForResult(project, created.integrationId);
      expect(passed).toMatchObject({ status: 'ACTIVE', validation: { result: 'SUCCESSFUL' } });
      expect(passed).not.toHaveProperty('awaitingValidation');
      const afterFix = await loadIntegration(project.projectId, created.integrationId);
      expect(afterFix && workerTargetOf(afterFix)).toMatchObject({ kmsKeyArn });

      // Removing the key again is a change like any other.
      const removed = (await project.client.patch(path, { kmsKeyArn: null })).json as Edited;
      expect(removed).not.toHaveProperty('kmsKeyArn');
      expect(removed.awaitingValidation).toEqual(['kmsKeyArn']);
      expect(JSON.stringify(removed.setup.iamPolicy)).not.toContain('kms:');
    },
  );

  it('a name edit is fine while a validation runs; a key edit waits (409 VALIDATION_IN_PROGRESS)', async () => {
    const project = await platformProject();
    const { created, accountId } = await activeIntegration(project);
    const stored = await loadIntegration(project.projectId, created.integrationId);
    if (!stored) throw new Error('integration gone');
    // A run under way, as PUT .../role leaves it (its execution is not started: the state stays VALIDATING).
    const now = new Date().toISOString();
    expect(
      await beginValidation(stored, {
        runId: `${created.integrationId}-edit-${Date.now().toString(36)}`,
        startedAt: now,
        staleBefore: now,
      }),
    ).toEqual({ began: true });

    const kmsKeyArn = await createKmsKey(accountId, 'us-west-2');
    const refused = await project.client.patch(one(project, created.integrationId), { kmsKeyArn });
    expect([refused.status, errorOf(refused).code]).toEqual([409, 'VALIDATION_IN_PROGRESS']);
    const renamed = await project.client.patch(one(project, created.integrationId), {
      name: 'renamed while validating',
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'renamed while validating', status: 'VALIDATING' });
    expect(renamed.json).not.toHaveProperty('kmsKeyArn');
  });

  it('an edit on a state that changed meanwhile is refused (409 CONCURRENT_UPDATE), not applied over it', async () => {
    const project = await platformProject();
    const created = await createIntegration(project, { region: 'us-east-1', bucketName: uniqueBucketName('race') });
    const stored = await loadIntegration(project.projectId, created.integrationId);
    if (!stored) throw new Error('integration gone');
    expect((await project.client.patch(one(project, created.integrationId), { name: 'first edit' })).status).toBe(200);
    await expect(saveEdit(stored, { name: 'stale edit' }, new Date().toISOString())).rejects.toMatchObject({
      code: 'CONCURRENT_UPDATE',
    });
    expect(((await project.client.get(one(project, created.integrationId))).json as IntegrationView).name).toBe(
      'first edit',
    );
  });
});
