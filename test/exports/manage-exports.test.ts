/**
 * The export API on the local stack: input checks, tenancy and plan rules, which backups and
 * integrations can be used, one job per export however often it is requested, jobs holding their
 * integration while they run, job listing, and the auto-export rule's own routes.
 *
 * One test uses the endpoint's fault injection (one setting for the whole endpoint) to keep a
 * job running while it looks at it; it clears it when done.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportRuleView, JobView } from '#shared/exports/schemas';
import { api, clearFaults, mintToken, setFaults } from '../support/local-stack';
import { createIntegration, uniqueBucketName } from '../support/customer';
import { platformCluster, platformProject, projectUser } from '../support/platform';
import { smallFiles } from './support/backup-data';
import {
  announceBackup,
  eventually,
  exportPath,
  exportWorld,
  finished,
  platformBackup,
  requestExport,
  waitForJob,
  type ExportWorld,
  type PlatformBackup,
} from './support/export-stack';

afterEach(async () => {
  await clearFaults();
});

const errorCode = (answer: { json: unknown }) => (answer.json as { error: { code: string } }).error.code;
const jobsPath = (world: ExportWorld) => `/v1/projects/${world.project.projectId}/jobs`;
const rulePath = (world: ExportWorld, clusterId = world.clusterId) =>
  `/v1/projects/${world.project.projectId}/clusters/${clusterId}/backup-export-rule`;

async function worldWithBackup(): Promise<{ world: ExportWorld; backup: PlatformBackup }> {
  const world = await exportWorld();
  const backup = await platformBackup(world.clusterId, smallFiles('api', 3));
  await announceBackup(world.project, world.clusterId, backup);
  return { world, backup };
}

describe('POST .../backups/{backupId}/export', () => {
  it('refuses malformed requests without writing anything', async () => {
    const { world, backup } = await worldWithBackup();
    const integrationId = world.integration.integrationId;
    const post = (body: unknown, path = exportPath(world, backup.backupId)) => world.project.client.post(path, body);
    for (const directory of [
      '',
      '/abs',
      'a/../b',
      'a//b',
      '/',
      'sp ace',
      'x'.repeat(257),
      'star*',
      '.s3-integration-probe/x',
    ]) {
      const answer = await post({ integrationId, directory });
      expect({ directory, status: answer.status, code: errorCode(answer) }).toEqual({
        directory,
        status: 400,
        code: 'INVALID_REQUEST',
      });
    }
    expect((await post({ integrationId, directory: 'ok', extra: 1 })).status).toBe(400);
    expect((await post({ integrationId: 'integ-x', directory: 'ok' })).status).toBe(400);
    expect((await post({ directory: 'ok' })).status).toBe(400);
    expect(
      (
        await post(
          { integrationId, directory: 'ok' },
          `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backups/bad%20id/export`,
        )
      ).status,
    ).toBe(400);
    const list = await world.project.client.get(jobsPath(world));
    expect(list.json).toEqual({ items: [] });
  });

  it('follows the tenancy, plan and cluster rules', async () => {
    const { world, backup } = await worldWithBackup();
    const body = { integrationId: world.integration.integrationId, directory: 'exports' };
    const stranger = api(mintToken({ sub: 'stranger', org: 'org-other', orgRole: 'owner', projects: {} }));
    expect((await stranger.post(exportPath(world, backup.backupId), body)).status).toBe(404);
    expect((await stranger.get(jobsPath(world))).status).toBe(404);
    const member = projectUser(world.project, 'member');
    const denied = await member.post(exportPath(world, backup.backupId), body);
    expect([denied.status, errorCode(denied)]).toEqual([403, 'FORBIDDEN']);
    expect((await member.get(jobsPath(world))).status).toBe(200);

    const serverless = await platformCluster(world.project, { tier: 'serverless' });
    const notDedicated = await world.project.client.post(
      `/v1/projects/${world.project.projectId}/clusters/${serverless}/backups/${backup.backupId}/export`,
      body,
    );
    expect([notDedicated.status, errorCode(notDedicated)]).toEqual([403, 'FEATURE_NOT_AVAILABLE']);

    const standard = await platformProject('standard');
    const standardCluster = await platformCluster(standard);
    const notEnterprise = await standard.client.post(
      `/v1/projects/${standard.projectId}/clusters/${standardCluster}/backups/${backup.backupId}/export`,
      body,
    );
    expect([notEnterprise.status, errorCode(notEnterprise)]).toEqual([403, 'FEATURE_NOT_AVAILABLE']);
  });

  it('exports only known backups, to ACTIVE integrations in the cluster region', async () => {
    const { world, backup } = await worldWithBackup();
    const post = (backupId: string, integrationId: string, clusterId = world.clusterId) =>
      world.project.client.post(
        `/v1/projects/${world.project.projectId}/clusters/${clusterId}/backups/${backupId}/export`,
        { integrationId, directory: 'exports' },
      );

    const unknownBackup = await post('bk-unknown', world.integration.integrationId);
    expect([unknownBackup.status, errorCode(unknownBackup)]).toEqual([404, 'BACKUP_NOT_FOUND']);
    // Once the backup's event is recorded, the integration is what is missing.
    const unknownIntegration = await eventually(async () => {
      const answer = await post(backup.backupId, 'integ-aaaaaaaaaaaaaaaaaaaa');
      return errorCode(answer) === 'BACKUP_NOT_FOUND' ? undefined : answer;
    }, 'the backup event was not recorded');
    expect([unknownIntegration.status, errorCode(unknownIntegration)]).toEqual([404, 'INTEGRATION_NOT_FOUND']);

    const awaitingRole = await createIntegration(world.project, {
      region: 'us-east-1',
      bucketName: uniqueBucketName('api'),
    });
    const notActive = await post(backup.backupId, awaitingRole.integrationId);
    expect([notActive.status, errorCode(notActive)]).toEqual([409, 'INTEGRATION_NOT_ACTIVE']);

    const westCluster = await platformCluster(world.project, { region: 'us-west-2' });
    const westBackup = await platformBackup(westCluster, smallFiles('west', 1));
    await announceBackup(world.project, westCluster, westBackup);
    const mismatch = await eventually(async () => {
      const answer = await post(westBackup.backupId, world.integration.integrationId, westCluster);
      return answer.status === 404 ? undefined : answer;
    }, 'west backup not recorded');
    expect([mismatch.status, errorCode(mismatch)]).toEqual([422, 'REGION_MISMATCH']);
    expect((await world.project.client.get(jobsPath(world))).json).toEqual({ items: [] });
  });

  it('answers a repeated request with the same job, and holds the integration while the job runs', async () => {
    const { world, backup } = await worldWithBackup();
    // Slow the customer's bucket down, so the job is still running while we look.
    await setFaults({ services: ['s3'], buckets: [world.integration.bucketName], latencyMs: 1000, errorRate: 0 });
    const jobId = await requestExport(world, backup, 'exports/again');
    expect(await requestExport(world, backup, 'exports/again')).toBe(jobId);
    // Typed with a trailing "/", it is the same folder, hence the same job.
    expect(await requestExport(world, backup, 'exports/again/')).toBe(jobId);
    const other = await requestExport(world, backup, 'exports/elsewhere');
    expect(other).not.toBe(jobId);

    const integrationPath = `${world.project.base}/${world.integration.integrationId}`;
    const inUse = await world.project.client.delete(integrationPath);
    expect([inUse.status, errorCode(inUse)]).toEqual([409, 'INTEGRATION_IN_USE']);
    const running = (await world.project.client.get(`${jobsPath(world)}/${jobId}`)).json as JobView;
    expect(['PENDING', 'RUNNING']).toContain(running.status);
    // The view shows the customer's destination and nothing of the platform's side or the machinery.
    for (const internal of ['source', 'lease', 'leaseEpoch', 'turn', 'attempt', 'createdBy', 'directory'])
      expect(running).not.toHaveProperty(internal);

    await clearFaults();
    for (const id of [jobId, other]) expect((await waitForJob(world, id, finished)).status).toBe('SUCCEEDED');
    // Done: the same request again changes nothing, and the integration is free to go.
    expect(await requestExport(world, backup, 'exports/again')).toBe(jobId);
    expect(((await world.project.client.get(jobsPath(world))).json as { items: unknown[] }).items).toHaveLength(2);
    expect((await world.project.client.delete(integrationPath)).status).toBe(204);
  }, 120_000);
});

describe('GET .../jobs', () => {
  it('pages through the jobs with checked page tokens', async () => {
    const { world, backup } = await worldWithBackup();
    const ids = [
      await requestExport(world, backup, 'a'),
      await requestExport(world, backup, 'b'),
      await requestExport(world, backup, 'c'),
    ];
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const answer = await world.project.client.get(`${jobsPath(world)}?limit=2${token ? `&nextToken=${token}` : ''}`);
      expect(answer.status, answer.text).toBe(200);
      const page = answer.json as { items: JobView[]; nextToken?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((job) => job.jobId));
      token = page.nextToken;
    } while (token);
    expect(seen.sort()).toEqual([...ids].sort());
    const forged = Buffer.from(JSON.stringify({ pk: 'PROJECT#someone-else', sk: 'JOB#x' })).toString('base64url');
    const refused = await world.project.client.get(`${jobsPath(world)}?nextToken=${forged}`);
    expect([refused.status, errorCode(refused)]).toEqual([400, 'INVALID_NEXT_TOKEN']);
    expect((await world.project.client.get(`${jobsPath(world)}/job-00000000000000000000000000000000`)).status).toBe(
      404,
    );
    expect((await world.project.client.get(`${jobsPath(world)}/not-a-job`)).status).toBe(400);
    for (const id of ids) await waitForJob(world, id, finished);
  }, 120_000);
});

describe('backup export rule', () => {
  it('is set, read, replaced and deleted by its own routes', async () => {
    const world = await exportWorld();
    const client = world.project.client;
    const missing = await client.get(rulePath(world));
    expect([missing.status, errorCode(missing)]).toEqual([404, 'EXPORT_RULE_NOT_FOUND']);
    expect(
      (await client.put(rulePath(world), { integrationId: world.integration.integrationId, directory: '../up' }))
        .status,
    ).toBe(400);

    const set = await client.put(rulePath(world), {
      integrationId: world.integration.integrationId,
      directory: 'auto',
    });
    expect(set.status, set.text).toBe(200);
    const rule = set.json as ExportRuleView;
    expect(rule).toMatchObject({
      projectId: world.project.projectId,
      clusterId: world.clusterId,
      integrationId: world.integration.integrationId,
      directory: 'auto',
    });
    expect((await client.get(rulePath(world))).json).toEqual(rule);
    expect((await projectUser(world.project, 'member').get(rulePath(world))).status).toBe(200);
    expect((await projectUser(world.project, 'member').delete(rulePath(world))).status).toBe(403);

    const replaced = (
      await client.put(rulePath(world), { integrationId: world.integration.integrationId, directory: 'auto/v2' })
    ).json as ExportRuleView;
    expect(replaced).toMatchObject({ directory: 'auto/v2', createdAt: rule.createdAt });

    const awaitingRole = await createIntegration(world.project, {
      region: 'us-east-1',
      bucketName: uniqueBucketName('rule'),
    });
    const notActive = await client.put(rulePath(world), {
      integrationId: awaitingRole.integrationId,
      directory: 'auto',
    });
    expect([notActive.status, errorCode(notActive)]).toEqual([409, 'INTEGRATION_NOT_ACTIVE']);
    expect(((await client.get(rulePath(world))).json as ExportRuleView).directory).toBe('auto/v2');

    expect((await client.delete(rulePath(world))).status).toBe(204);
    expect((await client.delete(rulePath(world))).status).toBe(404);
    const serverless = await platformCluster(world.project, { tier: 'serverless' });
    const refused = await client.put(rulePath(world, serverless), {
      integrationId: world.integration.integrationId,
      directory: 'auto',
    });
    expect([refused.status, errorCode(refused)]).toEqual([403, 'FEATURE_NOT_AVAILABLE']);
  }, 60_000);
});
