/**
 * Attacker: one project flooding the service (integrations, validations, export jobs) while another
 * project works. Each project's use is capped where it is created, a project's queued exports start
 * in turn without holding up anyone else's, and nothing stays RUNNING forever.
 */
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config';
import {
  cachedSessionCount,
  customerCredentials,
  MAX_CACHED_SESSIONS,
} from '#shared/customer-bucket/assume-customer-role';
import { loadSlots } from '#shared/exports/export-slots';
import { acquireJobLease } from '#shared/exports/job-lease';
import type { JobView } from '#shared/exports/schemas';
import { sweepProject } from '#shared/exports/sweep-export-jobs';
import type { IntegrationView } from '#shared/integrations/schemas';
import { platformProject, projectItems, type Project } from '../support/platform';
import { eventually } from '../support/platform';
import { smallFiles } from '../exports/support/backup-data';
import {
  announceBackup,
  exportWorld,
  finished,
  platformBackup,
  requestExport,
  waitForJob,
} from '../exports/support/export-stack';
import { runExportHandlersHere, startInProcess } from '../exports/support/in-process';
import { createRole } from '../support/customer';
import { uniqueAccountId } from '../support/local-stack';
import { PLATFORM_ROOT } from './support/customers';
import { REGION } from './support/tenants';

// Export messages of the handlers run in this process are parked: a job started here never runs.
await runExportHandlersHere(['runExportJob', 'startBackupExport', 'sweepExportJobs']);

const bodyOf = (index: number) => ({
  name: `flood ${index}`,
  region: REGION,
  bucketName: `flood-${index}-${Date.now().toString(36)}`,
});

/**
 * Another project's export, requested before a flood starts: after the flood it must have
 * SUCCEEDED, and still been running when the flood began (the flood ran alongside it).
 */
async function anotherProjectExporting() {
  const other = await exportWorld();
  const backup = await platformBackup(other.clusterId, smallFiles('bystander', 30));
  await announceBackup(other.project, other.clusterId, backup);
  const jobId = await requestExport(other, backup, 'bystander');
  const floodStart = Date.now();
  return async function succeededThroughTheFlood() {
    const job = await waitForJob(other, jobId, finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(Date.parse(job.endedAt ?? '')).toBeGreaterThanOrEqual(floodStart);
  };
}

async function createWithRole(project: Project): Promise<IntegrationView> {
  const created = await project.client.post(project.base, bodyOf(0));
  expect(created.status, created.text).toBe(201);
  return created.json as IntegrationView;
}

describe('a flood of integrations', () => {
  it(
    'many concurrent creates in one project: exactly the limit succeed, the rest 409 INTEGRATION_LIMIT_REACHED, ' +
      "nothing else written; another project's export runs through it",
    async () => {
      const limit = config().MAX_INTEGRATIONS_PER_PROJECT;
      const project = await platformProject();
      const othersExport = await anotherProjectExporting();
      const answers = await Promise.all(
        Array.from({ length: limit + 10 }, (_, index) => project.client.post(project.base, bodyOf(index))),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(limit);
      const refused = answers.filter((answer) => answer.status !== 201);
      expect(refused).toHaveLength(10);
      for (const answer of refused) {
        expect(answer.status).toBe(409);
        expect(answer.json).toMatchObject({
          error: { code: 'INTEGRATION_LIMIT_REACHED', message: expect.stringContaining(String(limit)) },
        });
      }
      const items = await projectItems(project.projectId);
      expect(items.filter((item) => String(item.sk).startsWith('INTEGRATION#'))).toHaveLength(limit);
      expect(items.filter((item) => String(item.sk).startsWith('INTEGRATION_NAME#'))).toHaveLength(limit);

      const one = (answers.find((answer) => answer.status === 201)?.json as IntegrationView).integrationId;
      expect((await project.client.delete(`${project.base}/${one}`)).status).toBe(204);
      expect((await project.client.post(project.base, bodyOf(limit + 100))).status).toBe(201);
      expect((await project.client.post(project.base, bodyOf(limit + 101))).status).toBe(409);
      await othersExport();
    },
  );
});

describe('a flood of validations', () => {
  it(
    'validating one integration again and again: 429 with Retry-After once its minute is spent; another project ' +
      "validates meanwhile, and another's export runs through it",
    async () => {
      const perMinute = config().VALIDATIONS_PER_INTEGRATION_PER_MINUTE;
      const [flooder, bystander] = await Promise.all([platformProject(), platformProject()]);
      const integration = await createWithRole(flooder);
      const othersExport = await anotherProjectExporting();
      const one = `${flooder.base}/${integration.integrationId}`;
      const done = () =>
        eventually(async () => {
          const view = (await flooder.client.get(one)).json as IntegrationView;
          return view.validation?.result !== 'RUNNING' ? view : undefined;
        }, 'validation did not end');
      // A role that does not exist: each run fails at once, so the flood is as fast as it gets.
      expect(
        (await flooder.client.put(`${one}/role`, { roleArn: 'arn:aws:iam::222222222222:role/does-not-exist' })).status,
      ).toBe(202);
      await done();
      let limited;
      // Fixed windows of a minute: within two windows' worth of attempts, one must be refused.
      for (let attempt = 0; attempt < 2 * perMinute + 2 && !limited; attempt += 1) {
        const answer = await flooder.client.post(`${one}/validate`);
        if (answer.status === 429) limited = answer;
        else {
          expect(answer.status, answer.text).toBe(202);
          await done();
        }
      }
      expect(limited, 'no validation was refused').toBeDefined();
      expect(limited?.json).toMatchObject({ error: { code: 'TOO_MANY_VALIDATIONS' } });
      const retryAfter = Number(limited?.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(((await flooder.client.get(one)).json as IntegrationView).validation?.result).toBe('FAILED');

      const other = await createWithRole(bystander);
      expect(
        (
          await bystander.client.put(`${bystander.base}/${other.integrationId}/role`, {
            roleArn: 'arn:aws:iam::222222222222:role/x',
          })
        ).status,
      ).toBe(202);
      await othersExport();
    },
  );
});

/** The most jobs that ran at the same moment, from their start and end times. */
function mostAtOnce(jobs: JobView[]): number {
  const edges = jobs.flatMap((job) => [
    { at: Date.parse(job.startedAt ?? ''), change: 1 },
    { at: Date.parse(job.endedAt ?? ''), change: -1 },
  ]);
  // At equal times an end comes before a start: a slot given back is taken by the next job.
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.change));
  return most;
}

describe('a flood of export jobs', () => {
  it(
    "one project's exports run at most its limit at once and start in turn; another project's export does not " +
      'wait behind them',
    async () => {
      const max = config().MAX_RUNNING_EXPORTS_PER_PROJECT;
      const [flooder, other] = await Promise.all([exportWorld(), exportWorld()]);
      const [backup, otherBackup] = await Promise.all([
        platformBackup(flooder.clusterId, smallFiles('flood', 30)),
        platformBackup(other.clusterId, smallFiles('other', 2)),
      ]);
      await Promise.all([
        announceBackup(flooder.project, flooder.clusterId, backup),
        announceBackup(other.project, other.clusterId, otherBackup),
      ]);
      const jobIds: string[] = [];
      for (let index = 0; index < max + 2; index += 1)
        jobIds.push(await requestExport(flooder, backup, `flood-${index}`));
      const otherJobId = await requestExport(other, otherBackup, 'other');

      const jobs = await Promise.all(jobIds.map((jobId) => waitForJob(flooder, jobId, finished)));
      const otherJob = await waitForJob(other, otherJobId, finished);
      for (const job of [...jobs, otherJob]) expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      expect(mostAtOnce(jobs)).toBeLessThanOrEqual(max);
      const firstEnd = Math.min(...jobs.slice(0, max).map((job) => Date.parse(job.endedAt ?? '')));
      for (const waited of jobs.slice(max)) expect(Date.parse(waited.startedAt ?? '')).toBeGreaterThanOrEqual(firstEnd);
      expect(Date.parse(otherJob.startedAt ?? '')).toBeLessThan(Date.parse(jobs.at(-1)?.startedAt ?? ''));
      expect((await loadSlots(flooder.project.projectId))?.running ?? new Set()).toEqual(new Set());
    },
  );
});

describe('jobs nobody works on any more', () => {
  it(
    'a job whose invocation died and whose message is gone is ended FAILED by the sweeper, releasing its ' +
      'integration and its slot',
    async () => {
      const world = await exportWorld();
      const backup = await platformBackup(world.clusterId, smallFiles('abandoned', 2));
      await announceBackup(world.project, world.clusterId, backup);
      const jobId = await startInProcess(world, backup, 'abandoned');
      // An invocation took the job and died; its message dead-lettered: nothing will take it again.
      const lease = await acquireJobLease(
        { projectId: world.project.projectId, jobId },
        { owner: 'crashed', expiresAt: Date.now() - 1, turn: 0 },
      );
      expect(lease.kind).toBe('acquired');

      expect(await sweepProject(world.project.projectId)).toMatchObject({ abandoned: 0 });
      const later = new Date(Date.now() + (config().EXPORT_ABANDONED_AFTER_MINUTES + 1) * 60_000);
      expect(await sweepProject(world.project.projectId, later)).toMatchObject({ abandoned: 1 });

      const job = (await world.project.client.get(`/v1/projects/${world.project.projectId}/jobs/${jobId}`))
        .json as JobView;
      expect(job).toMatchObject({ status: 'FAILED', error: { code: 'EXPORT_ABANDONED' } });
      expect((await loadSlots(world.project.projectId))?.running ?? new Set()).not.toContain(jobId);
      expect(
        (await world.project.client.delete(`${world.project.base}/${world.integration.integrationId}`)).status,
      ).toBe(204);
    },
  );
});

describe('a flood of sessions in one container', () => {
  it('one worker asked for far more distinct sessions than it may keep holds only its bound of them', async () => {
    const externalId = 's3i-floodfloodfloodfloodfloodfloodfl';
    const roleArn = await createRole(uniqueAccountId(), {
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: PLATFORM_ROOT },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': externalId } },
          },
        ],
      },
      iamPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::flood-bucket/*' }],
      },
    });
    const role = { integrationId: 'integ-floodfloodfloodflood', roleArn, externalId };
    for (let batch = 0; batch < (MAX_CACHED_SESSIONS + 40) / 20; batch += 1) {
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          customerCredentials(
            role,
            { bucketName: 'flood-bucket', prefixes: [`folder-${batch}-${index}/`], objectActions: ['s3:GetObject'] },
            'flood',
          )(),
        ),
      );
    }
    expect(cachedSessionCount()).toBeLessThanOrEqual(MAX_CACHED_SESSIONS);
  });
});
