/**
 * The daily re-validation on the local stack, where its schedule fires every few seconds. A day
 * passing is simulated by moving the integrations' last check two days back in the table; the
 * rest is the real scheduled function starting the real state machine in recheck mode.
 */
import { DetachRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import type { IntegrationView } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import { recheckActiveIntegrations } from '#shared/validation/recheck';
import { clientsFor } from '../support/local-stack';
import { type Project, eventually, platformProject } from '../support/platform';
import { createIntegration, customerSetUp, failedStage, setRoleAndWait, uniqueBucketName } from '../support/customer';
import { actAsFunctions } from '../support/function-roles';

// Handlers run here as the stack runs them: as their function's role.
await actAsFunctions(['recheckIntegrations']);

const DAY_MS = 86_400_000;

async function activeIntegration(project: Project, label: string) {
  const integration = await createIntegration(project, { region: 'us-west-2', bucketName: uniqueBucketName(label) });
  const { accountId, roleArn } = await customerSetUp(integration);
  const view = await setRoleAndWait(project, integration.integrationId, roleArn);
  expect(view.status).toBe('ACTIVE');
  return { view, accountId, roleArn };
}

async function storedItem(projectId: string, integrationId: string) {
  const { Item } = await dynamodb.send(
    new GetCommand({
      TableName: config().TABLE_NAME,
      Key: keys.integration(projectId, integrationId),
      ConsistentRead: true,
    }),
  );
  return Item ?? {};
}

/** A day and more passes for this integration: its last check moves two days back. */
async function ageLastCheck(projectId: string, integrationId: string) {
  await dynamodb.send(
    new UpdateCommand({
      TableName: config().TABLE_NAME,
      Key: keys.integration(projectId, integrationId),
      UpdateExpression: 'SET lastCheckedAt = :old',
      ConditionExpression: 'attribute_exists(recheckShard)',
      ExpressionAttributeValues: { ':old': new Date(Date.now() - 2 * DAY_MS).toISOString() },
    }),
  );
}

describe('daily re-validation', () => {
  it('marks an integration whose access was revoked FAILED and keeps a good one ACTIVE throughout', async () => {
    const project = await platformProject();
    const good = await activeIntegration(project, 'recheck-good');
    const broken = await activeIntegration(project, 'recheck-broken');
    expect(await storedItem(project.projectId, good.view.integrationId)).toMatchObject({
      recheckShard: expect.stringMatching(/^RECHECK_SHARD#[0-7]$/),
    });

    // The customer revokes access: the role keeps its trust policy but loses its permissions.
    const { iam } = clientsFor(broken.accountId);
    const roleName = broken.roleArn.split('/').pop();
    const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    for (const policy of AttachedPolicies)
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
    await ageLastCheck(project.projectId, good.view.integrationId);
    await ageLastCheck(project.projectId, broken.view.integrationId);

    // Watch the good one the whole time: it never leaves ACTIVE while it is rechecked.
    const seenStatuses = new Set<string>();
    const get = async (integrationId: string) =>
      (await project.client.get(`${project.base}/${integrationId}`)).json as IntegrationView;
    const rechecked = (view: IntegrationView) =>
      view.validation?.runId.includes('-recheck-') && view.validation.result !== 'RUNNING';
    const [goodAfter, brokenAfter] = await eventually(
      async () => {
        const [goodView, brokenView] = await Promise.all([
          get(good.view.integrationId),
          get(broken.view.integrationId),
        ]);
        seenStatuses.add(goodView.status);
        return rechecked(goodView) && rechecked(brokenView) ? [goodView, brokenView] : undefined;
      },
      'the recheck did not run',
      30_000,
    );

    expect([...seenStatuses]).toEqual(['ACTIVE']);
    expect(goodAfter).toMatchObject({
      status: 'ACTIVE',
      bucketOwnerAccountId: good.accountId,
      validation: { result: 'SUCCESSFUL' },
    });
    expect(goodAfter.validation?.stages.every((stage) => stage.status === 'SUCCEEDED')).toBe(true);
    const stage = failedStage(brokenAfter);
    expect(stage).toMatchObject({ name: 'BUCKET_LOCATION', code: 'BUCKET_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(
        String.raw`^check bucket failed: get bucket location: ` +
          String.raw`operation error S3: GetBucketLocation, https response error StatusCode: 403, `,
      ),
    );

    // The good one is checked again only once its new check is a day old; the FAILED one left the index.
    const goodItem = await storedItem(project.projectId, good.view.integrationId);
    expect(Date.now() - Date.parse(String(goodItem.lastCheckedAt))).toBeLessThan(60_000);
    expect((await storedItem(project.projectId, broken.view.integrationId)).recheckShard).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await get(good.view.integrationId)).validation?.runId).toBe(goodAfter.validation?.runId);
  });

  it('starts nothing past its deadline and says the run is incomplete', async () => {
    const summary = await recheckActiveIntegrations({ deadline: Date.now() - 1 });
    expect(summary).toEqual({ started: 0, skipped: 0, notStarted: 0, complete: false });
  });
});
