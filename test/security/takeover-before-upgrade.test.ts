/**
 * Attacker: another tenant who took over a shared role before the external-ID probe was fixed. The
 * old probe passed a role trusting `s3i-*`, so such an integration was stored ACTIVE, with no
 * snapshot of proved settings (those came with the fix). After the upgrade it must carry no work,
 * and the deployer's one-off upgrade re-check must end it FAILED at once, while an honest integration
 * of the same vintage is proved again and keeps its ACTIVE status.
 */
import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as recheckIntegrations } from '#functions/recheck-integrations/handler';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { IntegrationView } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import { recheckShardOf } from '#shared/validation/run-store';
import { createIntegration, failedStage, setRoleAndWait } from '../support/customer';
import { actAsFunctions } from '../support/function-roles';
import { lambdaContext } from '../support/lambda-context';
import { eventually, platformCluster, platformProject, type Project } from '../support/platform';
import { trustWith, validateWithTrust } from './support/customers';
import { activeIntegration, REGION } from './support/tenants';

await actAsFunctions(['recheckIntegrations']);

/** Turns an integration into what the release before the probe fix stored: ACTIVE, checked just now, no snapshot. */
async function storeAsBeforeTheUpgrade(projectId: string, integrationId: string, ownerAccountId: string) {
  await dynamodb.send(
    new UpdateCommand({
      TableName: config().TABLE_NAME,
      Key: keys.integration(projectId, integrationId),
      UpdateExpression:
        'SET #status = :active, bucketOwnerAccountId = :owner, recheckShard = :shard, lastCheckedAt = :now ' +
        'REMOVE validated',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':active': 'ACTIVE',
        ':owner': ownerAccountId,
        ':shard': recheckShardOf(integrationId),
        ':now': new Date().toISOString(),
      },
    }),
  );
}

const viewOf = async (project: Project, integrationId: string) =>
  (await project.client.get(`${project.base}/${integrationId}`)).json as IntegrationView;

describe('a shared-role takeover validated by the probe before its fix', () => {
  it('carries no work after the upgrade; the upgrade re-check ends it FAILED, an honest one stays ACTIVE', async () => {
    const victim = await platformProject();
    const shared = await validateWithTrust(victim, (created) =>
      trustWith(created.setup, { StringLike: { 'sts:ExternalId': 's3i-*' } }),
    );
    const attacker = await platformProject();
    const clusterId = await platformCluster(attacker, { region: REGION });
    const stolen = await createIntegration(attacker, { region: REGION, bucketName: shared.created.bucketName });
    await setRoleAndWait(attacker, stolen.integrationId, shared.roleArn);
    await storeAsBeforeTheUpgrade(attacker.projectId, stolen.integrationId, shared.accountId);
    const honestProject = await platformProject();
    const honest = await activeIntegration(honestProject);
    await storeAsBeforeTheUpgrade(honestProject.projectId, honest.integration.integrationId, honest.accountId);

    // Before any re-check: neither running work nor new work may use what the old probe passed.
    const stored = await loadIntegration(attacker.projectId, stolen.integrationId);
    expect(stored?.status).toBe('ACTIVE');
    expect(stored && workerTargetOf(stored)).toBeUndefined();
    const rule = await attacker.client.put(
      `/v1/projects/${attacker.projectId}/clusters/${clusterId}/backup-export-rule`,
      { integrationId: stolen.integrationId, directory: 'stolen' },
    );
    expect(rule.status, rule.text).toBe(409);
    expect(rule.json).toMatchObject({ error: { code: 'INTEGRATION_NOT_ACTIVE' } });

    // The deployer's one-off: both were checked just now, so only the upgrade scope starts them.
    const upgradeRun = JSON.parse(readFileSync('events/aws.events/upgrade-recheck.json', 'utf8')) as ScheduledEvent;
    await recheckIntegrations(upgradeRun, lambdaContext(120_000));
    const rechecked = (view: IntegrationView) =>
      view.validation?.runId.includes('-recheck-') && view.validation.result !== 'RUNNING' ? view : undefined;
    const [stolenAfter, honestAfter] = await eventually(
      async () => {
        const views = await Promise.all([
          viewOf(attacker, stolen.integrationId),
          viewOf(honestProject, honest.integration.integrationId),
        ]);
        return views.every(rechecked) && views;
      },
      'the upgrade re-check did not run',
      30_000,
    );
    expect(stolenAfter.status).toBe('FAILED');
    expect(failedStage(stolenAfter)).toMatchObject({ name: 'EXTERNAL_ID_ENFORCED', code: 'EXTERNAL_ID_NOT_ENFORCED' });
    expect(honestAfter).toMatchObject({ status: 'ACTIVE', validation: { result: 'SUCCESSFUL' } });
    const proved = await loadIntegration(honestProject.projectId, honest.integration.integrationId);
    expect(proved && workerTargetOf(proved)).toMatchObject({ roleArn: honest.roleArn });
  });
});
