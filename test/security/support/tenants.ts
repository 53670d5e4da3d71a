/**
 * The worlds the attack suite (test/security/) attacks: a victim tenant with one of everything
 * (project, dedicated cluster, ACTIVE integration, backup, export job, forwarding, auto-export rule)
 * and a helper that fills the API's route table with the victim's ids, so an attack can walk every
 * route instead of the few someone remembered.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { apiRoutes, type ApiRoute } from '#shared/http/api-routes';
import type { IntegrationView } from '#shared/integrations/schemas';
import { createIntegration, customerSetUp, setRoleAndWait, uniqueBucketName } from '../../support/customer';
import {
  eventually,
  platformCluster,
  platformProject,
  projectItems,
  publish,
  type Api,
  type Project,
} from '../../support/platform';

export const REGION = 'us-east-1';

export interface Tenant {
  project: Project;
  clusterId: string;
  integration: IntegrationView;
  backupId: string;
  jobId: string;
  /** A replay of its forwarding. */
  replayId: string;
  accountId: string;
  roleArn: string;
}

/** Announces a backup of the cluster whose files live in a platform bucket (the bucket need not exist). */
export async function announceBackup(
  project: Project,
  clusterId: string,
  backupId = `bk-${randomBytes(5).toString('hex')}`,
): Promise<string> {
  await publish('platform.backups', 'Backup Completed', {
    projectId: project.projectId,
    clusterId,
    backupId,
    bucket: `platform-backups-${randomBytes(4).toString('hex')}`,
    prefix: `backups/${clusterId}/${backupId}`,
    completedAt: new Date().toISOString(),
  });
  await eventually(
    async () => (await projectItems(project.projectId)).some((item) => item.sk === `BACKUP#${clusterId}#${backupId}`),
    'backup recorded',
  );
  return backupId;
}

/** An ACTIVE integration of the project, set up by a fresh customer account from its documents. */
export async function activeIntegration(
  project: Project,
): Promise<{ integration: IntegrationView; accountId: string; roleArn: string }> {
  const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('sec') });
  const { accountId, roleArn } = await customerSetUp(created);
  const integration = await setRoleAndWait(project, created.integrationId, roleArn);
  expect(integration.status, JSON.stringify(integration.validation)).toBe('ACTIVE');
  return { integration, accountId, roleArn };
}

/** A tenant with one of every resource the API serves. */
export async function fullTenant(): Promise<Tenant> {
  const project = await platformProject();
  const clusterId = await platformCluster(project, { region: REGION });
  const { integration, accountId, roleArn } = await activeIntegration(project);
  const backupId = await announceBackup(project, clusterId);
  const cluster = `/v1/projects/${project.projectId}/clusters/${clusterId}`;
  const exported = await project.client.post(`${cluster}/backups/${backupId}/export`, {
    integrationId: integration.integrationId,
    directory: 'exports',
  });
  expect(exported.status, exported.text).toBe(202);
  const forwarding = await project.client.put(`${cluster}/audit-log-forwarding`, {
    integrationId: integration.integrationId,
    directory: 'audit',
  });
  expect(forwarding.status, forwarding.text).toBe(201);
  const replay = await project.client.post(`${cluster}/audit-log-forwarding/replay`, {
    from: (forwarding.json as { enabledAt: string }).enabledAt,
    to: new Date().toISOString(),
  });
  expect(replay.status, replay.text).toBe(202);
  const rule = await project.client.put(`${cluster}/backup-export-rule`, {
    integrationId: integration.integrationId,
    directory: 'auto',
  });
  expect(rule.status, rule.text).toBe(200);
  const jobId = (exported.json as { jobId: string }).jobId;
  return {
    project,
    clusterId,
    integration,
    backupId,
    jobId,
    replayId: (replay.json as { replayId: string }).replayId,
    accountId,
    roleArn,
  };
}

/** The ids a route path may name, of one tenant. */
export const idsOf = (tenant: Tenant) => ({
  projectId: tenant.project.projectId,
  integrationId: tenant.integration.integrationId,
  clusterId: tenant.clusterId,
  backupId: tenant.backupId,
  jobId: tenant.jobId,
  replayId: tenant.replayId,
});

/** The route with the tenant's ids in its path. */
export function pathOf(route: ApiRoute, ids: ReturnType<typeof idsOf>): string {
  return route.path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = (ids as unknown as Record<string, string>)[name];
    if (value === undefined) throw new Error(`no id for {${name}}`);
    return value;
  });
}

/** A body each write route would accept as valid input, so only authorization can refuse it. */
export function validBodyOf(route: ApiRoute, integrationId: string): unknown {
  switch (route.operationId) {
    case 'createIntegration':
      return { name: `attack ${randomBytes(3).toString('hex')}`, region: REGION, bucketName: uniqueBucketName('atk') };
    case 'setIntegrationRole':
      return { roleArn: 'arn:aws:iam::222222222222:role/attacker' };
    case 'editIntegration':
      return { name: `renamed ${randomBytes(3).toString('hex')}`, description: 'defaced', kmsKeyArn: null };
    case 'putAuditLogForwarding':
    case 'startBackupExport':
    case 'putBackupExportRule':
      return { integrationId, directory: 'stolen' };
    case 'patchAuditLogForwarding':
      return { paused: true };
    case 'startAuditLogReplay':
      return { from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString() };
    default:
      return route.body ? {} : undefined;
  }
}

export const tenantRoutes = apiRoutes.filter((route) => route.access !== 'public');
export const writeRoutes = tenantRoutes.filter((route) => route.access === 'write');

export function call(client: Api, route: ApiRoute, path: string, body: unknown) {
  switch (route.method) {
    case 'GET':
      return client.get(path);
    case 'DELETE':
      return client.delete(path);
    case 'POST':
      return client.post(path, body);
    case 'PUT':
      return client.put(path, body);
    case 'PATCH':
      return client.patch(path, body);
  }
}

/** The keys of every item in the project's partition: what an attack must leave exactly as it was. */
export async function partitionKeys(projectId: string): Promise<string[]> {
  return (await projectItems(projectId)).map((item) => String(item.sk)).sort();
}
