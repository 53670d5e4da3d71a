/**
 * Auto-export rules on the local stack: a `Backup Completed` event for a cluster with a rule starts
 * exactly one export however often the platform sends it, a cluster without a rule exports
 * nothing, and an export the rule could not start is visible as a FAILED job that a later request
 * restarts once the integration works again.
 */
import { describe, expect, it } from 'vitest';
import type { JobView } from '#shared/exports/schemas';
import { smallFiles } from './support/backup-data';
import { rolePolicy, validate } from './support/customer-role';
import {
  announceBackup,
  eventually,
  exportWorld,
  expectCompleteExport,
  finished,
  platformBackup,
  requestExport,
  waitForJob,
  type ExportWorld,
} from './support/export-stack';

const MiB = 1024 * 1024;
const jobsOf = async (world: ExportWorld) =>
  ((await world.project.client.get(`/v1/projects/${world.project.projectId}/jobs`)).json as { items: JobView[] }).items;

async function setRule(world: ExportWorld, directory: string): Promise<void> {
  const answer = await world.project.client.put(
    `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backup-export-rule`,
    {
      integrationId: world.integration.integrationId,
      directory,
    },
  );
  expect(answer.status, answer.text).toBe(200);
}

describe('auto-export', () => {
  it('starts one export for a backup however often its Backup Completed event arrives', async () => {
    const world = await exportWorld();
    await setRule(world, 'auto');
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('auto', 20),
      { name: 'large.bin', size: 20 * MiB, seed: 'auto:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup, 3);

    const [job] = await eventually(
      async () => {
        const jobs = await jobsOf(world);
        return jobs.length > 0 && jobs.every(finished) ? jobs : undefined;
      },
      'no auto-export finished',
      60_000,
    );
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'AUTO_EXPORT_RULE',
      backupId: backup.backupId,
      clusterId: world.clusterId,
    });
    await expectCompleteExport(world, backup, 'auto');

    // A late duplicate, long after the export finished, changes nothing.
    await announceBackup(world.project, world.clusterId, backup);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const jobs = await jobsOf(world);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toEqual(job);
  }, 120_000);

  it('exports nothing for a cluster without a rule', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, smallFiles('norule', 2));
    await announceBackup(world.project, world.clusterId, backup, 2);
    // The backup is recorded (an API export of it is accepted) but no job came from the events.
    const jobId = await requestExport(world, backup, 'manual');
    expect((await jobsOf(world)).map((job) => [job.jobId, job.trigger])).toEqual([[jobId, 'API']]);
    await waitForJob(world, jobId, finished);
  }, 60_000);

  it('records an export the rule could not start, and a later request restarts that same job', async () => {
    const world = await exportWorld();
    await setRule(world, 'auto');
    // The customer breaks the role; the next validation finds it and the integration is FAILED.
    const policyArn = await rolePolicy(world, 'detach');
    expect((await validate(world)).status).toBe('FAILED');

    const backup = await platformBackup(world.clusterId, smallFiles('refused', 5));
    await announceBackup(world.project, world.clusterId, backup, 2);
    const [refused] = await eventually(
      async () => {
        const jobs = await jobsOf(world);
        return jobs.length > 0 ? jobs : undefined;
      },
      'no job recorded',
      30_000,
    );
    expect(refused).toMatchObject({
      status: 'FAILED',
      trigger: 'AUTO_EXPORT_RULE',
      error: { code: 'INTEGRATION_NOT_ACTIVE' },
    });

    // Fixed and validated again: the same export requested through the API is the same job, run again.
    await rolePolicy(world, 'attach', policyArn);
    expect((await validate(world)).status).toBe('ACTIVE');
    expect(await requestExport(world, backup, 'auto')).toBe(refused?.jobId);
    const job = await waitForJob(world, refused?.jobId ?? '', finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(job.error).toBeUndefined();
    await expectCompleteExport(world, backup, 'auto');
    expect(await jobsOf(world)).toHaveLength(1);
  }, 120_000);
});
