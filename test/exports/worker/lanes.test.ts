/**
 * One export copied by K workers at once (lanes of work units, docs/exports.md): the test plays
 * Lambda's event source mapping (support/event-source.ts), handing every message the real handlers
 * send to an invocation of the real worker, four at a time, with the time budget it chooses.
 *
 * One worker per 64 MiB here (EXPORT_GIB_PER_WORKER), so a backup of a few hundred MiB gets K = 4.
 * Uses the endpoint's fault injection (one setting for the whole endpoint): tests run in order.
 */
process.env.EXPORT_GIB_PER_WORKER = String(64 / 1024);

import { afterEach, describe, expect, it } from 'vitest';
import { clearFaults, faultsInjected, setFaults } from '../../support/local-stack';
import { smallFiles } from '../support/backup-data';
import { requestCounts, slowWrites } from '../support/customer-bucket';
import { deliverExportMessages, mostAtOnce } from '../support/event-source';
import {
  announceBackup,
  eventually,
  exportWorld,
  expectCompleteExport,
  openMultipartUploads,
  platformBackup,
  storedJob,
} from '../support/export-stack';
import {
  lambdaContext,
  isOver,
  messagesOfJob,
  runExportHandlersHere,
  sqsEvent,
  startInProcess,
  workerProcess,
} from '../support/in-process';
import { leasesLapsed, partsInUnit, recordedParts, units } from '../support/checkpoints';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import type { Context } from 'aws-lambda';

const MiB = 1024 * 1024;
const parked = await runExportHandlersHere();

afterEach(async () => {
  await clearFaults();
});

const messagesOf = (jobId: string, from: number) => messagesOfJob(parked.sent, jobId, from);

/** Refused UploadPart attempts in the killed-lane test (each is one more request S3 counts). */
const FIRST_ATTEMPT_FAULTS = 2;

describe('an export copied by several workers at once', () => {
  it(
    'copies 60 files and two 100 MiB files with 4 workers: ' +
      'identical, one manifest, exact progress, each part uploaded once',
    async () => {
      const world = await exportWorld();
      const large = [
        { name: 'segments/a.bin', size: 100 * MiB + 4_321, seed: 'four:a' },
        { name: 'segments/b.bin', size: 100 * MiB, seed: 'four:b' },
      ];
      const backup = await platformBackup(world.clusterId, [...smallFiles('four', 60), ...large]);
      await announceBackup(world.project, world.clusterId, backup);
      const countsBefore = await requestCounts(world.integration.bucketName);
      const from = parked.sent.length;
      const jobId = await startInProcess(world, backup, 'four');
      const bytesTotal = backup.files.reduce((sum, file) => sum + file.size, 0);

      const seen: Array<{ objectsCopied: number; bytesCopied: number }> = [];
      const ended = async () => {
        const job = await storedJob(world.project.projectId, jobId);
        seen.push(job.progress);
        return isOver(job.status);
      };
      const deliveries = await deliverExportMessages({
        sent: parked.sent,
        from,
        jobId,
        concurrency: 4,
        remainingMs: 120_000,
        ended,
      });

      const job = await storedJob(world.project.projectId, jobId);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      expect(job.workers).toBe(4);
      expect(mostAtOnce(deliveries)).toBe(4);
      // Lanes 1 to 3 went out as unit messages; lane 0 ran in the invocation that planned the job.
      expect(
        messagesOf(jobId, from)
          .filter((message) => 'unit' in message && message.turn === 0)
          .map((message) => 'unit' in message && message.unit),
      ).toEqual([1, 2, 3]);
      expect(job.progress).toEqual({ objectsTotal: 62, objectsCopied: 62, bytesTotal, bytesCopied: bytesTotal });
      // Progress only ever grew, and never past the totals.
      seen.reduce((previous, current) => {
        expect(current.bytesCopied).toBeGreaterThanOrEqual(previous.bytesCopied);
        expect(current.bytesCopied).toBeLessThanOrEqual(bytesTotal);
        return current;
      });
      const counts = await requestCounts(world.integration.bucketName);
      expect({
        uploadParts: counts.UploadPart,
        uploads: counts.CreateMultipartUpload,
        completions: counts.CompleteMultipartUpload,
      }).toEqual({
        uploadParts: 26,
        uploads: 2,
        completions: 2,
      });
      // 60 files and one manifest, each put once (validation's probe was put before).
      expect((counts.PutObject ?? 0) - (countsBefore.PutObject ?? 0)).toBe(61);
      await expectCompleteExport(world, backup, 'four');
    },
    240_000,
  );

  it('arrives complete and identical with 3 workers when 10% of the requests to the customer bucket fail', async () => {
    const world = await exportWorld();
    const large = ['x', 'y', 'z'].map((name) => ({
      name: `large-${name}.bin`,
      size: 45 * MiB + 7,
      seed: `faulty:${name}`,
    }));
    const backup = await platformBackup(world.clusterId, [...smallFiles('faulty', 120), ...large]);
    await announceBackup(world.project, world.clusterId, backup);
    const bucket = world.integration.bucketName;
    const from = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'faulty');
    // One request in ten fails, in every way the endpoint can fail one: three dropped connections, then
    // three SlowDowns, then internal errors to the end. Spread evenly, so the faults each phase meets
    // do not depend on luck; a phase moves on once its three faults are spent.
    const faults = { services: ['s3'], buckets: [bucket], errorRate: 0.1, spread: 'even' as const };
    const phases = [
      { mode: 'drop-connection', maxFaults: 3 },
      { mode: 'slowdown', maxFaults: 3 },
      { mode: 'internal-error', maxFaults: 1_000 }, // settings merge: this lifts the cap of three
    ] as const;
    const injected: number[] = [];
    let copying = true;
    const spendPhases = async () => {
      for (const phase of phases.slice(0, -1)) {
        while (copying && (await faultsInjected()) < phase.maxFaults) await new Promise((ok) => setTimeout(ok, 20));
        if (!copying) return;
        injected.push(phase.maxFaults);
        await setFaults({ ...faults, ...phases[injected.length] });
      }
    };
    await setFaults({ ...faults, ...phases[0] });
    const spent = spendPhases();
    const ended = async () => isOver((await storedJob(world.project.projectId, jobId)).status);
    await deliverExportMessages({ sent: parked.sent, from, jobId, concurrency: 3, remainingMs: 120_000, ended });
    copying = false;
    await spent;
    injected.push(await faultsInjected());
    await clearFaults();

    const job = await storedJob(world.project.projectId, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(job.workers).toBe(3);
    // About 170 requests reach the bucket once the faults are on: all three phases are reached.
    expect(injected.slice(0, 2)).toEqual([3, 3]);
    expect(injected[2]).toBeGreaterThanOrEqual(5);
    await expectCompleteExport(world, backup, 'faulty');
  }, 300_000);

  it('lets only one of two simultaneous deliveries of a unit work, and drops a late duplicate', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('twice', 20),
      { name: 'large.bin', size: 90 * MiB, seed: 'twice:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    const from = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'twice');
    // Every write takes longer than an invocation lasts: the job message plans the job and hands lane
    // 0 over; each delivery of lane 1's message can only take its unit and hand it over.
    await slowWrites(world, 2_500);
    await runExportJob(sqsEvent(parked.sent[from] ?? ''), lambdaContext(1_500) as Context);
    const lane1 = messagesOf(jobId, from).find(
      (message) => 'unit' in message && message.unit === 1 && message.turn === 0,
    );
    expect(lane1).toBeDefined();
    const body = JSON.stringify(lane1);

    const before = parked.sent.length;
    await Promise.all([
      runExportJob(sqsEvent(body), lambdaContext(2_000) as Context),
      runExportJob(sqsEvent(body), lambdaContext(2_000) as Context),
    ]);
    // One delivery took unit 1's lease (its epoch counts takeovers) and handed over once; the other found it held.
    const unit1 = await unitItem(world.project.projectId, jobId, 1);
    expect(unit1.epoch).toBe(1);
    const handedOver = messagesOf(jobId, before).filter((message) => 'unit' in message && message.unit === 1);
    expect(handedOver.map((message) => message.turn)).toEqual([1]);

    // The first message again, late (SQS delivers at least once): its turn is over, nothing happens.
    await runExportJob(sqsEvent(body), lambdaContext(2_000) as Context);
    expect(await unitItem(world.project.projectId, jobId, 1)).toMatchObject({ epoch: 1, turn: 1 });
    await clearFaults();

    // Now every message the worker sent after the job's first, stale ones included, as SQS would.
    await deliverExportMessages({
      sent: parked.sent,
      from: from + 1,
      jobId,
      concurrency: 4,
      remainingMs: 60_000,
      ended: async () => isOver((await storedJob(world.project.projectId, jobId)).status),
    });
    const job = await storedJob(world.project.projectId, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    await expectCompleteExport(world, backup, 'twice');
  }, 180_000);

  it(
    'resumes a lane whose worker was killed mid-unit after the other lane finished, ' +
      'without uploading recorded parts again',
    async () => {
      const world = await exportWorld();
      const { projectId } = world.project;
      const large = [
        { name: 'large-a.bin', size: 40 * MiB + 3, seed: 'killed:a' },
        { name: 'large-b.bin', size: 40 * MiB, seed: 'killed:b' },
      ];
      const backup = await platformBackup(world.clusterId, [...smallFiles('killed', 20), ...large]);
      await announceBackup(world.project, world.clusterId, backup);
      const bucket = world.integration.bucketName;
      const countsBefore = await requestCounts(bucket);
      const from = parked.sent.length;
      const jobId = await startInProcess(world, backup, 'killed');
      // The job's message plans (K = 2), sends lane 1 off and copies lane 0 here.
      const lane0 = runExportJob(sqsEvent(parked.sent[from] ?? ''), lambdaContext(120_000) as Context);
      const lane1 = await eventually(
        async () => messagesOf(jobId, from).find((message) => 'unit' in message && message.unit === 1),
        'lane 1 was not sent',
        30_000,
      );
      expect(await lane0).toEqual({ batchItemFailures: [] });
      // Lane 1's worker copies alone, slowly, so that the kill lands while its unit is half copied. A
      // unit's parts are all in flight at once and would be recorded within milliseconds of each
      // other, so the first and the third attempts answer SlowDown: those two parts are recorded
      // only after the SDK's back-off and another 2.5 s attempt, at least 2.5 s after the others
      // (a window a loaded machine's polling still hits), and the kill lands between them.
      await setFaults({
        services: ['s3'],
        buckets: [bucket],
        operations: ['UploadPart'],
        latencyMs: 2_500,
        errorRate: 0.5,
        spread: 'even',
        mode: 'slowdown',
        maxFaults: FIRST_ATTEMPT_FAULTS,
      });
      const worker = workerProcess(JSON.stringify(lane1), 12_000);
      const { unit, recorded } = await eventually(
        async () => {
          const unit1 = (await units(projectId, jobId)).find((item) => item.unit === 1);
          const parts = unit1 ? partsInUnit(await recordedParts(projectId, jobId), unit1) : [];
          return unit1 && parts.length > 0 ? { unit: unit1, recorded: parts.length } : undefined;
        },
        'lane 1 recorded no part',
        30_000,
      );
      worker.kill();
      expect(await worker.exited).toBe('SIGKILL');
      await clearFaults();
      // Lane 0 is done; the job waits for the dead lane, whose unit is not.
      expect(await storedJob(projectId, jobId)).toMatchObject({ status: 'RUNNING', lanesDone: 1 });
      expect((await units(projectId, jobId)).find((item) => item.unit === 1)?.done).toBeUndefined();

      // SQS delivers lane 1's message again once the dead invocation's lease has lapsed.
      await leasesLapsed(projectId, jobId);
      const redelivered = parked.sent.push(JSON.stringify(lane1)) - 1;
      const ended = async () => isOver((await storedJob(projectId, jobId)).status);
      await deliverExportMessages({
        sent: parked.sent,
        from: redelivered,
        jobId,
        concurrency: 2,
        remainingMs: 60_000,
        ended,
      });

      const job = await storedJob(projectId, jobId);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      const bytesTotal = backup.files.reduce((sum, file) => sum + file.size, 0);
      expect(job.progress).toEqual({ objectsTotal: 22, objectsCopied: 22, bytesTotal, bytesCopied: bytesTotal });
      expect((await units(projectId, jobId)).find((item) => item.unit === 1)?.epoch).toBe(2);
      await expectCompleteExport(world, backup, 'killed');
      expect(await openMultipartUploads(world, job.destination.prefix)).toEqual([]);
      // 11 parts in all, plus the refused attempts; only the parts of unit 1 not recorded before the
      // kill may have gone twice.
      const unitParts = partsInUnit(await recordedParts(projectId, jobId), unit).length;
      const uploads = (await requestCounts(bucket)).UploadPart ?? 0;
      expect(uploads - (countsBefore.UploadPart ?? 0)).toBeLessThanOrEqual(
        11 + FIRST_ATTEMPT_FAULTS + unitParts - recorded,
      );
    },
    180_000,
  );
});

async function unitItem(projectId: string, jobId: string, unit: number) {
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { dynamodb } = await import('#shared/aws/clients');
  const { exportFilesPk, exportSortKey } = await import('#shared/table/keys');
  const { Item } = await dynamodb.send(
    new GetCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: exportFilesPk(projectId, jobId, 1), sk: exportSortKey.unit(unit) },
      ConsistentRead: true,
    }),
  );
  return Item as { epoch: number; turn: number; done?: boolean };
}
