/**
 * A project's worker budget (export-workers.ts): two exports of one project, each big enough to ask
 * for five workers, share MAX_EXPORT_WORKERS_PER_PROJECT = 3 with MAX_RUNNING_EXPORTS_PER_PROJECT = 2
 * slots. Both jobs hold their slots before either is planned: the first to plan leaves one worker
 * for the other, which gets it; the reservations (`workersHeld`) never exceed the budget and are
 * all given back when the jobs end, even by a holder of the job lease whose copy of the job
 * predates its plan.
 *
 * The test plays Lambda's event source mapping (support/event-source.ts) with the real handlers.
 * One worker per 16 MiB here (EXPORT_GIB_PER_WORKER). Uses the endpoint's fault injection.
 */
process.env.EXPORT_GIB_PER_WORKER = String(16 / 1024);
process.env.MAX_EXPORT_WORKERS_PER_PROJECT = '3';
process.env.MAX_RUNNING_EXPORTS_PER_PROJECT = '2';

import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { EMPTY_PROGRESS } from '#shared/exports/export-job';
import { loadSlots } from '#shared/exports/export-slots';
import { finishJob } from '#shared/exports/job-end';
import { acquireJobLease } from '#shared/exports/job-lease';
import { clearFaults } from '../../support/local-stack';
import { smallFiles } from '../support/backup-data';
import { slowWrites } from '../support/customer-bucket';
import { deliverExportMessages } from '../support/event-source';
import {
  announceBackup,
  exportWorld,
  expectCompleteExport,
  platformBackup,
  storedJob,
  type ExportWorld,
} from '../support/export-stack';
import { isOver, lambdaContext, runExportHandlersHere, sqsEvent, startInProcess } from '../support/in-process';

const MiB = 1024 * 1024;
const parked = await runExportHandlersHere();

afterEach(async () => {
  await clearFaults();
});

async function backupOf(world: ExportWorld, name: string) {
  const backup = await platformBackup(world.clusterId, [
    ...smallFiles(name, 10),
    { name: 'large.bin', size: 70 * MiB, seed: `${name}:large` },
  ]);
  await announceBackup(world.project, world.clusterId, backup);
  return backup;
}

const held = async (world: ExportWorld) => {
  const slots = await loadSlots(world.project.projectId);
  return { running: slots?.running?.size ?? 0, workersHeld: slots?.workersHeld ?? 0 };
};

describe("a project's worker budget", () => {
  it('splits three workers between two exports that each ask for five, and gets them all back', async () => {
    const world = await exportWorld();
    const { projectId } = world.project;
    const [first, second] = [await backupOf(world, 'cap-a'), await backupOf(world, 'cap-b')];
    const fromFirst = parked.sent.length;
    const firstJob = await startInProcess(world, first, 'cap-a');
    const fromSecond = parked.sent.length;
    const secondJob = await startInProcess(world, second, 'cap-b');
    expect(await held(world)).toEqual({ running: 2, workersHeld: 0 });

    // Writes outlast the invocations: each job message plans its job and hands lane 0 over.
    await slowWrites(world, 2_500);
    await runExportJob(sqsEvent(parked.sent[fromFirst] ?? ''), lambdaContext(1_500) as Context);
    expect((await storedJob(projectId, firstJob)).workers).toBe(2);
    expect(await held(world)).toEqual({ running: 2, workersHeld: 2 });
    await runExportJob(sqsEvent(parked.sent[fromSecond] ?? ''), lambdaContext(1_500) as Context);
    expect((await storedJob(projectId, secondJob)).workers).toBe(1);
    expect(await held(world)).toEqual({ running: 2, workersHeld: 3 });
    await clearFaults();

    const runToEnd = (jobId: string, from: number) =>
      deliverExportMessages({
        sent: parked.sent,
        from: from + 1,
        jobId,
        concurrency: 2,
        remainingMs: 60_000,
        ended: async () => isOver((await storedJob(projectId, jobId)).status),
      });
    await Promise.all([runToEnd(firstJob, fromFirst), runToEnd(secondJob, fromSecond)]);
    for (const jobId of [firstJob, secondJob]) {
      const job = await storedJob(projectId, jobId);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    }
    await expectCompleteExport(world, first, 'cap-a');
    await expectCompleteExport(world, second, 'cap-b');
    expect(await held(world)).toEqual({ running: 0, workersHeld: 0 });
  }, 180_000);

  it('gives back the workers the stored attempt reserved, whichever copy of the job ends it', async () => {
    const world = await exportWorld();
    const { projectId } = world.project;
    const backup = await backupOf(world, 'stale');
    const from = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'stale');
    // What a coordinator holds before planning; an error after the plan's commit ends the job with it.
    const unplanned = await storedJob(projectId, jobId);
    await slowWrites(world, 2_500);
    await runExportJob(sqsEvent(parked.sent[from] ?? ''), lambdaContext(1_500) as Context);
    await clearFaults();
    expect(await held(world)).toEqual({ running: 1, workersHeld: 2 });

    const owner = 'ending-coordinator';
    const lease = await acquireJobLease(unplanned, {
      owner,
      expiresAt: Date.now() + 60_000,
      turn: (await storedJob(projectId, jobId)).turn,
    });
    expect(lease.kind).toBe('acquired');
    expect(unplanned.workers).toBeUndefined();
    await finishJob(unplanned, owner, {
      status: 'FAILED',
      progress: EMPTY_PROGRESS,
      error: { code: 'EXPORT_INTERNAL_ERROR', message: 'ended by the test' },
    });
    expect((await storedJob(projectId, jobId)).status).toBe('FAILED');
    expect(await held(world)).toEqual({ running: 0, workersHeld: 0 });
  }, 60_000);
});
