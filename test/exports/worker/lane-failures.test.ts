/**
 * Failures of an export copied by K = 2 lanes, and restarting it. A refusal met while both lanes
 * copy ends the job FAILED with its own code and stops the other lane (none waits for the sweeper).
 * A FAILED export requested again is a new attempt with nothing of the last one carried over (no
 * lanes counted done, no phase, no K), so it sends its lanes off, finishes and arrives complete;
 * and the project's worker budget is held exactly while an attempt's plan is committed. The first
 * failure is met by a lane (the customer detached the role's policy while lane 1 still had its
 * unit to copy), or by the finisher (the role may not list the bucket).
 *
 * The test plays Lambda's event source mapping (support/event-source.ts), handing the messages the
 * real handlers send to invocations of the real worker. One worker per 64 MiB here
 * (EXPORT_GIB_PER_WORKER), so a backup of 80 MiB gets K = 2. Uses the endpoint's fault injection
 * (one setting for the whole endpoint): tests run in order.
 */
process.env.EXPORT_GIB_PER_WORKER = String(64 / 1024);

import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { loadSlots } from '#shared/exports/export-slots';
import type { IntegrationView } from '#shared/integrations/schemas';
import { withoutAction } from '../../support/customer';
import { clearFaults } from '../../support/local-stack';
import { units } from '../support/checkpoints';
import { smallFiles } from '../support/backup-data';
import { enableVersioning, slowWrites, versionsBelow } from '../support/customer-bucket';
import { attachPolicy, rolePolicy, validate } from '../support/customer-role';
import { deliverExportMessages } from '../support/event-source';
import {
  announceBackup,
  eventually,
  exportWorld,
  expectCompleteExport,
  platformBackup,
  storedJob,
  type ExportWorld,
  type PlatformBackup,
} from '../support/export-stack';
import {
  isOver,
  lambdaContext,
  messagesOfJob,
  runExportHandlersHere,
  sqsEvent,
  startInProcess,
} from '../support/in-process';

const MiB = 1024 * 1024;
const parked = await runExportHandlersHere();

afterEach(async () => {
  await clearFaults();
});

/** 20 small files and two of 40 MiB: K = 2, each lane with units to copy. */
async function twoLaneBackup(world: ExportWorld, name: string): Promise<PlatformBackup> {
  const backup = await platformBackup(world.clusterId, [
    ...smallFiles(name, 20),
    { name: 'large-a.bin', size: 40 * MiB + 3, seed: `${name}:a` },
    { name: 'large-b.bin', size: 40 * MiB, seed: `${name}:b` },
  ]);
  await announceBackup(world.project, world.clusterId, backup);
  return backup;
}

/** Hands every message of the job sent from index `from` on to the worker until the job has ended. */
async function runToEnd(world: ExportWorld, jobId: string, from: number) {
  const { projectId } = world.project;
  await deliverExportMessages({
    sent: parked.sent,
    from,
    jobId,
    concurrency: 2,
    remainingMs: 60_000,
    // A restart that never sends a lane off would wait here for the sweeper (hours): fail instead.
    timeoutMs: 90_000,
    ended: async () => isOver((await storedJob(projectId, jobId)).status),
  });
  return storedJob(projectId, jobId);
}

/** The job holds no slot of its project, and the project's worker budget is whole again. */
async function expectNothingHeld(world: ExportWorld, jobId: string): Promise<void> {
  const slots = await loadSlots(world.project.projectId);
  expect({ running: [...(slots?.running ?? [])], workersHeld: slots?.workersHeld ?? 0 }).toEqual({
    running: [],
    workersHeld: 0,
  });
  expect((await storedJob(world.project.projectId, jobId)).lease).toBeUndefined();
}

/** Requests the same export again through the API: the FAILED job restarts as a fresh attempt. */
async function restart(world: ExportWorld, backup: PlatformBackup, directory: string, jobId: string) {
  expect((await validate(world)).status).toBe('ACTIVE');
  const from = parked.sent.length;
  expect(await startInProcess(world, backup, directory)).toBe(jobId);
  const job = await storedJob(world.project.projectId, jobId);
  const { status, planned, workers, units, lanesDone, phase, failure, completedAt, error, manifestKey } = job;
  // Nothing of the failed attempt's own state is left (toEqual: absent and undefined are alike).
  expect({ status, planned, workers, units, lanesDone, phase, failure, completedAt, error, manifestKey }).toEqual({
    status: 'PENDING',
    planned: false,
  });
  return { from, attempt: job.attempt };
}

const integrationOf = async (world: ExportWorld) =>
  (await world.project.client.get(`${world.project.base}/${world.integration.integrationId}`)).json as IntegrationView;

describe('an export of two lanes that fails', () => {
  it('ends FAILED with its code when the policy goes while both lanes copy; no lane keeps running', async () => {
    const world = await exportWorld();
    const { projectId } = world.project;
    const backup = await twoLaneBackup(world, 'both');
    // Writes take a while, so that both lanes are mid-unit when the customer acts.
    await slowWrites(world, 500);
    const from = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'both');
    const run = runToEnd(world, jobId, from);
    await eventually(
      async () => {
        const held = (await units(projectId, jobId)).filter((unit) => unit.lease && !unit.done);
        return new Set(held.map((unit) => unit.unit % 2)).size === 2;
      },
      'the two lanes were never at work together',
      30_000,
    );
    await rolePolicy(world, 'detach');

    // runToEnd returns once the job is over and every invocation has returned.
    const job = await run;
    expect(job.status).toBe('FAILED');
    // Whichever call met the refusal first: a write (put, upload part) or a read-back.
    expect(['WRITE_ACCESS_DENIED', 'READ_ACCESS_DENIED']).toContain(job.error?.code);
    expect(job.error?.message).toMatch(/the role's policy must allow s3:(PutObject|GetObject) on arn:aws:s3:::exp-/);
    expect({ workers: job.workers, failure: job.failure, manifestKey: job.manifestKey }).toEqual({ workers: 2 });
    expect(job.progress.objectsCopied).toBeLessThan(job.progress.objectsTotal);
    expect((await integrationOf(world)).status).toBe('FAILED');
    await expectNothingHeld(world, jobId);
  }, 120_000);

  it(
    'ends FAILED with the denied permission when a lane meets a revoked policy, ' +
      'and a restart sends its lanes off again and arrives complete',
    async () => {
      const world = await exportWorld();
      const { projectId } = world.project;
      const backup = await twoLaneBackup(world, 'revoked');
      const from = parked.sent.length;
      const jobId = await startInProcess(world, backup, 'revoked');
      // The job's message plans (K = 2), sends lane 1 off and copies lane 0 to its end here.
      expect(await runExportJob(sqsEvent(parked.sent[from] ?? ''), lambdaContext(120_000) as Context)).toEqual({
        batchItemFailures: [],
      });
      expect(await storedJob(projectId, jobId)).toMatchObject({
        status: 'RUNNING',
        workers: 2,
        lanesDone: 1,
        phase: 'COPYING',
      });
      const lane1 = messagesOfJob(parked.sent, jobId, from).find((message) => 'unit' in message && message.unit === 1);
      expect(lane1).toBeDefined();

      // The customer detaches the role's policy; lane 1 meets the refusal, records it and ends the job.
      const policyArn = await rolePolicy(world, 'detach');
      const afterLane1 = parked.sent.length;
      expect(await runExportJob(sqsEvent(JSON.stringify(lane1)), lambdaContext(60_000) as Context)).toEqual({
        batchItemFailures: [],
      });
      const failed = await storedJob(projectId, jobId);
      expect([failed.status, failed.error?.code]).toEqual(['FAILED', 'WRITE_ACCESS_DENIED']);
      expect(failed.error?.message).toMatch(/the role's policy must allow s3:PutObject on arn:aws:s3:::exp-/);
      expect(failed.failure).toBeUndefined();
      expect((await integrationOf(world)).status).toBe('FAILED');
      // Nothing is left to run: whatever lane 1 sent finds the job over.
      expect((await runToEnd(world, jobId, afterLane1)).status).toBe('FAILED');
      await expectNothingHeld(world, jobId);

      // Fixed, then broken again before the restart's plan is committed: that attempt reserved no
      // workers, so its end gives none back.
      await rolePolicy(world, 'attach', policyArn);
      const second = await restart(world, backup, 'revoked', jobId);
      expect(second.attempt).toBe(2);
      await rolePolicy(world, 'detach');
      const refused = await runToEnd(world, jobId, second.from);
      expect([refused.status, refused.attempt, refused.planned]).toEqual(['FAILED', 2, false]);
      await expectNothingHeld(world, jobId);

      await rolePolicy(world, 'attach', policyArn);
      const third = await restart(world, backup, 'revoked', jobId);
      const job = await runToEnd(world, jobId, third.from);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      expect({ attempt: job.attempt, workers: job.workers, error: job.error }).toEqual({ attempt: 3, workers: 2 });
      // Lane 1 of the new attempt went out as its own message.
      expect(
        messagesOfJob(parked.sent, jobId, third.from).filter((message) => 'unit' in message && message.turn === 0),
      ).toEqual([expect.objectContaining({ unit: 1, attempt: 3 })]);
      await expectCompleteExport(world, backup, 'revoked');
      await expectNothingHeld(world, jobId);
    },
    300_000,
  );

  it('restarts an export that failed while finishing (no s3:ListBucket), adding no version', async () => {
    const world = await exportWorld();
    await enableVersioning(world);
    const backup = await twoLaneBackup(world, 'finishing');
    // Everything but s3:ListBucket: the lanes copy every file, the finisher's size check is refused.
    const own = await rolePolicy(world, 'detach');
    const narrowed = await attachPolicy(world, withoutAction(world.created.setup.iamPolicy, 's3:ListBucket'));
    const from = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'finishing');
    const failed = await runToEnd(world, jobId, from);
    expect([failed.status, failed.error?.code]).toEqual(['FAILED', 'LIST_ACCESS_DENIED']);
    expect(failed).toMatchObject({ workers: 2, lanesDone: 2, phase: 'FINISHING' });
    await expectNothingHeld(world, jobId);

    await rolePolicy(world, 'detach');
    expect(narrowed).not.toBe(own);
    await rolePolicy(world, 'attach', own);
    const { from: restartedFrom } = await restart(world, backup, 'finishing', jobId);
    const job = await runToEnd(world, jobId, restartedFrom);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(job).toMatchObject({ attempt: 2, workers: 2, lanesDone: 2 });
    await expectCompleteExport(world, backup, 'finishing');
    // The restart met every file already there with the right bytes (the first attempt had written
    // them all) and added no version to any key.
    const versions = await versionsBelow(world, job.destination.prefix);
    expect(versions.size).toBe(backup.files.length + 1);
    expect([...versions.values()].every((count) => count === 1)).toBe(true);
    await expectNothingHeld(world, jobId);
  }, 240_000);
});
