/**
 * A validation run's life on the local stack: progress while it runs, one run at a time, retries
 * of transient AWS errors, validating again after a fix, and runs that lost the integration
 * (deleted, superseded, interrupted) never writing over what came after them.
 *
 * These tests use the endpoint's fault injection, which is one setting for the whole endpoint,
 * so they run one after the other and clear it when done.
 */
import { readFileSync } from 'node:fs';
import { AttachRolePolicyCommand, CreatePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { handler as recordInterruption } from '#functions/record-validation-interruption/handler';
import { handler as runStage } from '#functions/run-validation-stage/handler';
import {
  clearFaults,
  clientsFor,
  faultsInjected,
  localStack,
  rootCredentials,
  setFaults,
} from '../support/local-stack';
import { PLATFORM_ACCOUNT, type Project, eventually, platformProject } from '../support/platform';
import {
  createIntegration,
  customerSetUp,
  failedStage,
  setRoleAndWait,
  uniqueBucketName,
  waitForResult,
  withoutAction,
} from '../support/customer';
import { actAsFunctions } from '../support/function-roles';
import { lambdaContext } from '../support/lambda-context';

// Handlers run here as the stack runs them: as their function's role.
await actAsFunctions(['runValidationStage', 'recordValidationInterruption']);

afterEach(async () => {
  await clearFaults();
});

/** Slows every S3 call to this bucket, so a run stays in its bucket stages long enough to watch. */
const slowBucket = (bucketName: string, latencyMs = 1500) =>
  setFaults({ services: ['s3'], buckets: [bucketName], latencyMs, errorRate: 0 });

async function getView(project: Project, integrationId: string) {
  return (await project.client.get(`${project.base}/${integrationId}`)).json as IntegrationView;
}

/** Waits until the report shows `stage` RUNNING, and returns the view at that moment. */
function waitForRunningStage(project: Project, integrationId: string, stage: string) {
  return eventually(async () => {
    const view = await getView(project, integrationId);
    return view.validation?.stages.some((entry) => entry.name === stage && entry.status === 'RUNNING')
      ? view
      : undefined;
  }, `${stage} never showed RUNNING`);
}

/** The validation execution of a run (its name is the run id), once it has ended. */
function executionEnd(runId: string) {
  const sfn = new SFNClient({
    endpoint: localStack().awsUrl,
    region: 'us-east-1',
    credentials: rootCredentials(PLATFORM_ACCOUNT),
  });
  const stateMachine = 's3-integrations-dev-validate-integration';
  const executionArn = `arn:aws:states:us-east-1:${PLATFORM_ACCOUNT}:execution:${stateMachine}:${runId}`;
  return eventually(async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  }, 'the execution did not end');
}

describe('validation runs', () => {
  it('shows each stage as it runs, and refuses a second start while one runs (409)', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('progress'),
    });
    const { roleArn } = await customerSetUp(integration);
    await slowBucket(integration.bucketName);

    expect((await project.client.put(`${project.base}/${integration.integrationId}/role`, { roleArn })).status).toBe(
      202,
    );
    const during = await waitForRunningStage(project, integration.integrationId, 'BUCKET_LOCATION');

    expect(during).toMatchObject({ status: 'VALIDATING', validation: { result: 'RUNNING' } });
    expect(during.validation?.stages.map((stage) => [stage.name, stage.status])).toEqual([
      ['ASSUME_ROLE', 'SUCCEEDED'],
      ['EXTERNAL_ID_ENFORCED', 'SUCCEEDED'],
      ['BUCKET_LOCATION', 'RUNNING'],
    ]);
    expect(during.validation?.stages[2]?.endedAt).toBeUndefined();
    const again = await project.client.post(`${project.base}/${integration.integrationId}/validate`);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'VALIDATION_IN_PROGRESS' } });
    expect((await project.client.put(`${project.base}/${integration.integrationId}/role`, { roleArn })).status).toBe(
      409,
    );

    await clearFaults();
    const done = await waitForResult(project, integration.integrationId);
    expect(done).toMatchObject({
      status: 'ACTIVE',
      validation: { runId: during.validation?.runId, result: 'SUCCESSFUL' },
    });
  });

  it('retries a throttled AssumeRole with backoff and succeeds', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('throttled'),
    });
    const { roleArn } = await customerSetUp(integration);
    // Four throttles: more than the SDK's own three attempts, so the state machine's Retry must act.
    await setFaults({ services: ['sts'], actions: ['sts:AssumeRole'], mode: 'slowdown', errorRate: 1, maxFaults: 4 });

    const view = await setRoleAndWait(project, integration.integrationId, roleArn);

    expect(view).toMatchObject({ status: 'ACTIVE', validation: { result: 'SUCCESSFUL' } });
    expect(await faultsInjected()).toBe(4);
    expect(readFileSync(localStack().logFile, 'utf8')).toContain(
      `TransientStageError: ASSUME_ROLE of ${integration.integrationId}: transient AWS error Throttling`,
    );
  });

  it('validates again after the customer fixes the policy, and becomes ACTIVE', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('fixed'),
    });
    const { accountId, roleArn } = await customerSetUp(integration, {
      iamPolicy: withoutAction(integration.setup.iamPolicy, 's3:PutObject'),
    });
    const failed = await setRoleAndWait(project, integration.integrationId, roleArn);
    expect(failedStage(failed).code).toBe('WRITE_ACCESS_DENIED');

    const { iam } = clientsFor(accountId);
    const roleName = roleArn.split('/').pop();
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: `${roleName}-fixed`,
        PolicyDocument: JSON.stringify(integration.setup.iamPolicy),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: Policy?.Arn }));
    expect((await project.client.post(`${project.base}/${integration.integrationId}/validate`)).status).toBe(202);
    const fixed = await waitForResult(project, integration.integrationId);

    expect(fixed).toMatchObject({
      status: 'ACTIVE',
      bucketOwnerAccountId: accountId,
      validation: { result: 'SUCCESSFUL' },
    });
    expect(fixed.validation?.runId).not.toBe(failed.validation?.runId);
    expect(fixed.validation?.stages.every((stage) => stage.status === 'SUCCEEDED' && stage.code === undefined)).toBe(
      true,
    );
  });

  it('stops quietly when the integration is deleted while the run is under way', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('deleted'),
    });
    const { roleArn } = await customerSetUp(integration);
    await slowBucket(integration.bucketName);
    await project.client.put(`${project.base}/${integration.integrationId}/role`, { roleArn });
    const during = await waitForRunningStage(project, integration.integrationId, 'BUCKET_LOCATION');

    expect((await project.client.delete(`${project.base}/${integration.integrationId}`)).status).toBe(204);
    await clearFaults();

    const execution = await executionEnd(during.validation?.runId ?? '');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ stageResult: { outcome: 'STOPPED' } });
    expect((await project.client.get(`${project.base}/${integration.integrationId}`)).status).toBe(404);
  });

  it('never lets a stale run write: a stage task of an older run id changes nothing', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('stale'),
    });
    const { roleArn } = await customerSetUp(integration);
    const active = await setRoleAndWait(project, integration.integrationId, roleArn);
    const ids = { projectId: project.projectId, integrationId: integration.integrationId };

    for (const mode of ['validate', 'recheck'] as const) {
      const stale = { ...ids, mode, runId: `${integration.integrationId}-older-run` };
      await expect(runStage({ ...stale, stage: 'ASSUME_ROLE' }, lambdaContext())).resolves.toEqual({
        outcome: 'STOPPED',
      });
      await expect(runStage({ ...stale, stage: 'READ_ACCESS' }, lambdaContext())).resolves.toEqual({
        outcome: 'STOPPED',
      });
      await expect(recordInterruption({ ...stale, error: 'States.Timeout' }, lambdaContext())).resolves.toEqual({
        outcome: 'STOPPED',
      });
    }
    // Even the run's own id cannot write once the run has ended.
    await expect(
      runStage({ ...ids, mode: 'validate', runId: active.validation?.runId, stage: 'WRITE_ACCESS' }, lambdaContext()),
    ).resolves.toEqual({ outcome: 'STOPPED' });
    expect(await getView(project, integration.integrationId)).toEqual(active);
  });

  it('rejects task input that does not belong to one integration', async () => {
    const other = 'integ-aaaaaaaaaaaaaaaaaaaa';
    await expect(
      runStage(
        {
          projectId: 'p-1',
          integrationId: 'integ-bbbbbbbbbbbbbbbbbbbb',
          runId: `${other}-x`,
          mode: 'validate',
          stage: 'ASSUME_ROLE',
        },
        lambdaContext(),
      ),
    ).rejects.toThrow(/Malformed validation task input: check runId/);
    await expect(
      runStage(
        {
          projectId: 'p-1',
          integrationId: other,
          runId: `${other}-x`,
          mode: 'validate',
          stage: 'ASSUME_ROLE',
          roleArn: 'arn:aws:iam::1:role/x',
        },
        lambdaContext(),
      ),
    ).rejects.toThrow(/Malformed validation task input/);
  });

  it('marks an interrupted run VALIDATION_INTERRUPTED on the running stage; the run then cannot write', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('interrupted'),
    });
    const { roleArn } = await customerSetUp(integration);
    await slowBucket(integration.bucketName, 2500);
    await project.client.put(`${project.base}/${integration.integrationId}/role`, { roleArn });
    const during = await waitForRunningStage(project, integration.integrationId, 'BUCKET_LOCATION');
    const runId = during.validation?.runId ?? '';

    // What the state machine's Catch does when a stage's retries run out.
    const ref = {
      projectId: project.projectId,
      integrationId: integration.integrationId,
      runId,
      mode: 'validate' as const,
    };
    await expect(recordInterruption({ ...ref, error: 'TransientStageError' }, lambdaContext())).resolves.toEqual({
      outcome: 'RECORDED',
    });

    const interrupted = await getView(project, integration.integrationId);
    const stage = failedStage(interrupted);
    expect(stage).toMatchObject({
      name: 'BUCKET_LOCATION',
      code: 'VALIDATION_INTERRUPTED',
      startedAt: during.validation?.stages[2]?.startedAt,
    });
    expect(stage.message).toMatch(
      new RegExp(
        String.raw`^validation could not finish: stage BUCKET_LOCATION did not complete after retries ` +
          String.raw`\(TransientStageError\); run the validation again`,
      ),
    );
    await clearFaults();
    // The real execution goes on, finds its run ended, and stops without touching the result.
    const execution = await executionEnd(runId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ stageResult: { outcome: 'STOPPED' } });
    expect(await getView(project, integration.integrationId)).toEqual(interrupted);
  });
});
