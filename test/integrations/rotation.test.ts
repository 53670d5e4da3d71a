/**
 * External-ID rotation on the local stack, as the customer lives it (the ordinary IAM client for
 * the role, the HTTP API for the rest): from start to retirement with an export running across it,
 * a validation before the role is updated (work keeps the current ID), the one-step path, cancel,
 * and the refusals. The export runs in this process, one short invocation at a time, so each of its
 * invocations falls between two steps of the rotation.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { dynamodb } from '#shared/aws/clients';
import type { IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import {
  assumeRoleCalls,
  clearFaults,
  clientsFor,
  localStack,
  setFaults,
  type ApiAnswer,
} from '../support/local-stack';
import { failedStage, waitForResult } from '../support/customer';
import { eventually, type Project } from '../support/platform';
import { functionCredentials, actAsFunctions } from '../support/function-roles';
import { smallFiles } from '../exports/support/backup-data';
import {
  announceBackup,
  exportWorld,
  expectCompleteExport,
  platformBackup,
  storedJob,
  type ExportWorld,
} from '../exports/support/export-stack';
import { lambdaContext, parkExportMessages, sqsEvent, startInProcess } from '../exports/support/in-process';

const parked = await parkExportMessages();
await actAsFunctions(
  ['runExportJob', 'startBackupExport'],
  [
    {
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:us-east-1:111111111111:${parked.parkingQueue}`,
    },
  ],
);

afterEach(async () => {
  await clearFaults();
});

type WithSetup = IntegrationView & { setup: SetupDocuments };
const errorCode = (answer: ApiAnswer) => (answer.json as { error: { code: string } }).error.code;
const pathOf = (world: ExportWorld) => `${world.project.base}/${world.integration.integrationId}`;
const trustedIds = (documents: SetupDocuments) =>
  (documents.trustPolicy.Statement[0] as { Condition: { StringEquals: { 'sts:ExternalId': string | string[] } } })
    .Condition.StringEquals['sts:ExternalId'];

async function updateTrust(world: ExportWorld, documents: SetupDocuments) {
  const roleName = world.roleArn.split('/').pop();
  await clientsFor(world.accountId).iam.send(
    new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(documents.trustPolicy) }),
  );
}

async function validate(project: Project, integrationId: string) {
  const answer = await project.client.post(`${project.base}/${integrationId}/validate`);
  expect(answer.status, answer.text).toBe(202);
  return waitForResult(project, integrationId);
}

const setupOf = async (world: ExportWorld) =>
  (await world.project.client.get(`${pathOf(world)}/setup`)).json as SetupDocuments;

/** Whether the role accepts `externalId`, asked as the platform's validation function asks. */
async function roleAccepts(world: ExportWorld, externalId: string): Promise<boolean> {
  const sts = new STSClient({
    endpoint: localStack().awsUrl,
    region: 'us-east-1',
    credentials: await functionCredentials(['runValidationStage']),
  });
  try {
    await sts.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'check', ExternalId: externalId }));
    return true;
  } catch {
    return false;
  }
}

const tombstone = async (externalId: string) =>
  (
    await dynamodb.send(
      new GetCommand({ TableName: localStack().environment.TABLE_NAME, Key: keys.externalId(externalId) }),
    )
  ).Item;

describe('external-ID rotation', () => {
  it(
    'from start to retirement with an export running across it: work keeps the current ID until the new one is ' +
      'proved, then uses the new one; the old one is retired once refused',
    async () => {
      const world = await exportWorld();
      const oldId = world.integration.externalId;
      const backup = await platformBackup(world.clusterId, smallFiles('rotation', 480));
      await announceBackup(world.project, world.clusterId, backup);
      const sentBefore = parked.sent.length;
      const jobId = await startInProcess(world, backup, 'across-rotation');
      // Slow writes: 480 files, 32 at a time, 700 ms each need 15 rounds, and an invocation of 2.5 s
      // starts none after 1.5 s: the export needs more invocations than the steps below leave room for.
      // (Set again for each invocation: the endpoint has one fault setting, which other files clear.)
      const slowWrites = () =>
        setFaults({
          services: ['s3'],
          buckets: [world.integration.bucketName],
          actions: ['s3:PutObject'],
          latencyMs: 700,
          errorRate: 0,
        });
      let delivered = 0;
      const exportStep = async (slow = true) => {
        const next = parked.sent.slice(sentBefore).filter((body) => body.includes(jobId))[delivered];
        if (!next) return;
        delivered += 1;
        if (slow) await slowWrites();
        expect(await runExportJob(sqsEvent(next), lambdaContext(2_500) as Context)).toEqual({ batchItemFailures: [] });
      };
      const exportSessions = async () =>
        (await assumeRoleCalls(world.roleArn)).filter(
          (call) => call.roleSessionName.endsWith('-export') && call.result === 'Granted',
        );

      await exportStep();
      expect((await storedJob(world.project.projectId, jobId)).status).toBe('RUNNING');

      // 1. Rotation started: a new ID, a trust policy that accepts both; nothing else changes.
      const started = await world.project.client.post(`${pathOf(world)}/external-id-rotation`);
      expect(started.status, started.text).toBe(201);
      const pending = started.json as WithSetup;
      const newId = pending.externalIdRotation?.newExternalId ?? '';
      expect(pending).toMatchObject({
        status: 'ACTIVE',
        externalId: oldId,
        externalIdRotation: { status: 'PENDING', oldExternalId: oldId },
        awaitingValidation: ['externalId'],
      });
      expect(newId).toMatch(/^s3i-[\w-]{32}$/);
      expect(newId).not.toBe(oldId);
      expect(trustedIds(pending.setup)).toEqual([oldId, newId]);
      expect(await tombstone(newId)).toMatchObject({ integrationId: world.integration.integrationId });
      await exportStep();

      // 2. The customer puts that trust policy on the role; work still uses the current ID.
      await updateTrust(world, pending.setup);
      await exportStep();
      expect((await exportSessions()).every((call) => call.externalId === oldId)).toBe(true);

      // 3. Validation proves the new ID; the role still accepts the old one, so the rotation waits to retire it.
      const switched = await validate(world.project, world.integration.integrationId);
      expect(switched).toMatchObject({
        status: 'ACTIVE',
        externalId: newId,
        externalIdRotation: { status: 'RETIRING', newExternalId: newId, oldExternalId: oldId },
      });
      expect(switched).not.toHaveProperty('awaitingValidation');
      const externalIdStage = switched.validation?.stages.find((stage) => stage.name === 'EXTERNAL_ID_ENFORCED');
      expect(externalIdStage).toMatchObject({
        status: 'SUCCEEDED',
        message: expect.stringContaining(`still accepts the external ID being replaced [${oldId}]`),
      });
      const retiring = await setupOf(world);
      expect(trustedIds(retiring)).toBe(newId);
      const switchedAt = Date.now();
      await exportStep();
      await exportStep();

      // 4. The customer removes the old ID; validation sees it refused and retires it.
      expect((await storedJob(world.project.projectId, jobId)).status).toBe('RUNNING');
      await updateTrust(world, retiring);
      const done = await validate(world.project, world.integration.integrationId);
      expect(done).toMatchObject({ status: 'ACTIVE', externalId: newId, validation: { result: 'SUCCESSFUL' } });
      expect(done).not.toHaveProperty('externalIdRotation');
      expect(done.validation?.stages.find((stage) => stage.name === 'EXTERNAL_ID_ENFORCED')).not.toHaveProperty(
        'message',
      );
      // The tombstone is marked right after the run's final write.
      expect(
        await eventually(async () => (await tombstone(oldId))?.retiredAt, 'the old ID was not marked retired'),
      ).toEqual(expect.any(String));
      expect(await roleAccepts(world, oldId)).toBe(false);
      expect(await roleAccepts(world, newId)).toBe(true);

      // The export ran across it all and finished, complete.
      await clearFaults();
      for (
        let invocations = 0;
        !['SUCCEEDED', 'FAILED'].includes((await storedJob(world.project.projectId, jobId)).status);
        invocations += 1
      ) {
        if (invocations > 40) throw new Error('the export did not finish');
        await exportStep(false);
      }
      const job = await storedJob(world.project.projectId, jobId);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      expect(delivered).toBeGreaterThan(5);
      await expectCompleteExport(world, backup, 'across-rotation');
      // Its sessions used the old ID until the switch and the new one after; never the new one before it was proved.
      const sessions = await exportSessions();
      expect(sessions.some((call) => call.externalId === oldId)).toBe(true);
      expect(sessions.some((call) => call.externalId === newId)).toBe(true);
      for (const call of sessions.filter((session) => session.externalId === newId))
        expect(Date.parse(call.time)).toBeGreaterThan(switchedAt - 5_000);
      const firstNew = sessions.findIndex((call) => call.externalId === newId);
      expect(sessions.slice(firstNew).every((call) => call.externalId === newId)).toBe(true);
    },
    240_000,
  );

  it(
    'a validation before the role accepts the new ID fails on it, and the integration stays ACTIVE on the current ' +
      'ID',
    async () => {
      const world = await exportWorld();
      const oldId = world.integration.externalId;
      const started = (await world.project.client.post(`${pathOf(world)}/external-id-rotation`)).json as WithSetup;
      const view = await validate(world.project, world.integration.integrationId);
      expect(view).toMatchObject({
        status: 'ACTIVE',
        externalId: oldId,
        externalIdRotation: { status: 'PENDING' },
        validation: { result: 'FAILED' },
      });
      const stage = view.validation?.stages.at(-1);
      expect(stage).toMatchObject({ name: 'ASSUME_ROLE', code: 'ROLE_ASSUMPTION_FAILED' });
      expect(stage?.message).toContain(`with externalId[${started.externalIdRotation?.newExternalId}]`);
    },
  );

  it('one step: a role that accepts only the new ID at the first validation retires the old one at once', async () => {
    const world = await exportWorld();
    const oldId = world.integration.externalId;
    const pending = (await world.project.client.post(`${pathOf(world)}/external-id-rotation`)).json as WithSetup;
    const newId = pending.externalIdRotation?.newExternalId ?? '';
    await updateTrust(world, {
      ...pending.setup,
      trustPolicy: JSON.parse(
        JSON.stringify(pending.setup.trustPolicy).replace(`["${oldId}","${newId}"]`, `"${newId}"`),
      ),
    });
    const done = await validate(world.project, world.integration.integrationId);
    expect(done, JSON.stringify(done.validation)).toMatchObject({ status: 'ACTIVE', externalId: newId });
    expect(done).not.toHaveProperty('externalIdRotation');
    // The tombstone is marked right after the run's final write.
    expect(
      await eventually(async () => (await tombstone(oldId))?.retiredAt, 'the old ID was not marked retired'),
    ).toEqual(expect.any(String));
  });

  it('is cancelled while PENDING (new ID never issued again), not after the switch; one runs at a time', async () => {
    const world = await exportWorld();
    const path = `${pathOf(world)}/external-id-rotation`;
    const first = (await world.project.client.post(path)).json as WithSetup;
    const again = await world.project.client.post(path);
    expect([again.status, errorCode(again)]).toEqual([409, 'ROTATION_IN_PROGRESS']);
    expect((await world.project.client.delete(path)).status).toBe(204);
    const cancelled = first.externalIdRotation?.newExternalId ?? '';
    expect(await tombstone(cancelled)).toMatchObject({ cancelledAt: expect.any(String) });
    const after = (await world.project.client.get(pathOf(world))).json as IntegrationView;
    expect(after).not.toHaveProperty('externalIdRotation');
    expect(after.externalId).toBe(world.integration.externalId);
    expect(trustedIds(await setupOf(world))).toBe(world.integration.externalId);
    const none = await world.project.client.delete(path);
    expect([none.status, errorCode(none)]).toEqual([404, 'ROTATION_NOT_FOUND']);

    const second = (await world.project.client.post(path)).json as WithSetup;
    expect(second.externalIdRotation?.newExternalId).not.toBe(cancelled);
    await updateTrust(world, second.setup);
    expect((await validate(world.project, world.integration.integrationId)).externalIdRotation?.status).toBe(
      'RETIRING',
    );
    const late = await world.project.client.delete(path);
    expect([late.status, errorCode(late)]).toEqual([409, 'ROTATION_SWITCHED']);
  });

  it(
    'a role that does not pin the new ID fails EXTERNAL_ID_ENFORCED: the rotation does not switch, the current ID ' +
      'keeps serving',
    async () => {
      const world = await exportWorld();
      const pending = (await world.project.client.post(`${pathOf(world)}/external-id-rotation`)).json as WithSetup;
      const loose = {
        ...pending.setup.trustPolicy,
        Statement: [
          { ...pending.setup.trustPolicy.Statement[0], Condition: { StringLike: { 'sts:ExternalId': 's3i-*' } } },
        ],
      };
      await updateTrust(world, { ...pending.setup, trustPolicy: loose });
      const view = await validate(world.project, world.integration.integrationId);
      expect(failedStageOf(view)).toMatchObject({ name: 'EXTERNAL_ID_ENFORCED', code: 'EXTERNAL_ID_NOT_ENFORCED' });
      expect(view).toMatchObject({
        status: 'ACTIVE',
        externalId: world.integration.externalId,
        externalIdRotation: { status: 'PENDING' },
      });
    },
  );
});

/** The failed stage of a report that failed while the integration stayed ACTIVE. */
function failedStageOf(view: IntegrationView) {
  expect(view.validation?.result).toBe('FAILED');
  return failedStage({ ...view, status: 'FAILED' });
}
