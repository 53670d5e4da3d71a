/**
 * How an export survives Lambda's time limit and crashes. The test plays Lambda's event source
 * mapping: it hands each message the real handlers sent to the next invocation of the real worker,
 * with a time budget it chooses, or runs an invocation in a child process and kills it mid-copy.
 *
 * Uses the endpoint's fault injection (one setting for the whole endpoint): tests run in order.
 */
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { clearFaults, clientsFor, setFaults } from '../../support/local-stack';
import { smallFiles, type BackupFileSpec } from '../support/backup-data';
import { leasesLapsed, plannedGroups, recordedParts } from '../support/checkpoints';
import {
  announceBackup,
  eventually,
  exportWorld,
  expectCompleteExport,
  finished,
  openMultipartUploads,
  platformBackup,
  REGION,
  storedJob,
  waitForJob,
  type ExportWorld,
} from '../support/export-stack';
import {
  lambdaContext,
  isOver,
  messagesOfJob,
  parseExportMessage,
  runExportHandlersHere,
  redeliverToStack,
  sqsEvent,
  startInProcess,
  workerProcess,
} from '../support/in-process';

const MiB = 1024 * 1024;
const parked = await runExportHandlersHere();

afterEach(async () => {
  await clearFaults();
});

const invoke = (body: string, remainingMs: number) =>
  runExportJob(sqsEvent(body), lambdaContext(remainingMs) as Context);

async function uploadExists(world: ExportWorld, key: string, uploadId: string): Promise<boolean> {
  const { s3 } = clientsFor(world.accountId, REGION);
  return s3.send(new ListPartsCommand({ Bucket: world.integration.bucketName, Key: key, UploadId: uploadId })).then(
    () => true,
    (error: { name?: string }) => (error.name === 'NoSuchUpload' ? false : Promise.reject(error as Error)),
  );
}

describe('export worker invocations', () => {
  it('hands over to fresh invocations when its time runs out, each resuming where the last stopped', async () => {
    const world = await exportWorld();
    const files: BackupFileSpec[] = [
      ...smallFiles('slices', 420),
      { name: 'large.bin', size: 24 * MiB + 1, seed: 'slices:large' },
    ];
    const backup = await platformBackup(world.clusterId, files);
    await announceBackup(world.project, world.clusterId, backup);
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'sliced');
    // Every write to the customer bucket takes 700 ms more: 420 small files, 32 at a time, need at
    // least 14 such rounds, and an invocation fits at most 4 (it starts none after 2.4 s: rounds at
    // 0, 0.7, 1.4 and 2.1 s), so the work cannot fit in fewer than four invocations, three hand-overs,
    // however fast this machine is.
    await setFaults({
      services: ['s3'],
      buckets: [world.integration.bucketName],
      operations: ['PutObject', 'UploadPart'],
      latencyMs: 700,
      errorRate: 0,
    });

    const bodiesOfJob = () => parked.sent.slice(sentBefore).filter((body) => parseExportMessage(body).jobId === jobId);
    const progress: Array<{ objects: number; bytes: number }> = [];
    let delivered = 0;
    // Each invocation gets 4 s: it stops starting work after 2.4 s and aborts what is still in flight at 3.6 s.
    while (!isOver((await storedJob(world.project.projectId, jobId)).status)) {
      const next = bodiesOfJob()[delivered];
      if (!next) throw new Error('the worker stopped without finishing the job or handing it over');
      delivered += 1;
      expect(await invoke(next, 4_000)).toEqual({ batchItemFailures: [] });
      const after = (await storedJob(world.project.projectId, jobId)).progress;
      progress.push({ objects: after.objectsCopied, bytes: after.bytesCopied });
      if (delivered > 60) throw new Error('too many invocations');
    }

    const job = await storedJob(world.project.projectId, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(job.workers).toBe(1);
    const sent = messagesOfJob(parked.sent, jobId, sentBefore);
    // The first message starts the job; every later one hands the lane's unit on, naming the invocation that
    // handed over.
    expect(sent[0]).toEqual({ projectId: world.project.projectId, jobId, turn: 0 });
    const continuations = sent.slice(1);
    // The lane's hand-overs (unit 0, turns 1, 2, ...), then, on a slow machine, the finisher's own (job messages).
    const laneTurns = continuations.filter((message) => 'unit' in message);
    const finisherTurns = continuations.filter((message) => !('unit' in message));
    expect(laneTurns.length).toBeGreaterThanOrEqual(3);
    laneTurns.forEach((message, index) => expect(message).toMatchObject({ unit: 0, turn: index + 1 }));
    finisherTurns.forEach((message, index) => expect(message).toMatchObject({ turn: index + 1 }));
    expect(continuations.slice(0, laneTurns.length)).toEqual(laneTurns);
    continuations.forEach((message) => expect(message.after).toMatch(/^[\w-]+:[\w-]+$/));
    expect(delivered).toBe(sent.length);
    // Each invocation went on from what the previous one had checkpointed; none started over.
    progress.reduce((previous, current) => {
      expect(current.objects).toBeGreaterThanOrEqual(previous.objects);
      expect(current.bytes).toBeGreaterThanOrEqual(previous.bytes);
      return current;
    });
    expect(
      progress.filter((step, index) => index === 0 || step.bytes > (progress[index - 1]?.bytes ?? 0)).length,
    ).toBeGreaterThanOrEqual(3);
    await expectCompleteExport(world, backup, 'sliced');
  }, 240_000);

  it('resumes after an invocation is killed mid-unit, from its checkpoint, without a second copy', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('crash', 20),
      { name: 'large.bin', size: 100 * MiB + 7, seed: 'crash:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'crash');
    const message = parked.sent[sentBefore] ?? '';
    // Slow writes down, so parts are recorded one wave after another while we watch: the file has
    // 13 parts and at most 12 are in flight, so the last one starts only after a first wave is recorded.
    await setFaults({
      services: ['s3'],
      buckets: [world.integration.bucketName],
      operations: ['PutObject', 'UploadPart'],
      latencyMs: 1_500,
      errorRate: 0,
    });

    const worker = workerProcess(message, 12_000);
    const partsAtCrash = await eventually(
      async () => {
        const parts = await recordedParts(world.project.projectId, jobId);
        return parts.length > 0 ? parts : undefined;
      },
      'no part was recorded',
      30_000,
    );
    worker.kill();
    expect(await worker.exited).toBe('SIGKILL');
    await clearFaults();

    expect(partsAtCrash.length).toBeLessThan(13);
    const crashed = await storedJob(world.project.projectId, jobId);
    expect(crashed.status).toBe('RUNNING');
    const [upload] = (await plannedGroups(world.project.projectId, jobId)).flatMap((group) =>
      group.upload ? [group.upload.uploadId] : [],
    );
    expect(await openMultipartUploads(world, crashed.destination.prefix)).toEqual([upload]);

    // SQS delivers the message again after its visibility timeout, which outlasts the dead invocation's leases.
    await leasesLapsed(world.project.projectId, jobId);
    await redeliverToStack(parked.stackQueueUrl, message);
    const job = await waitForJob(world, jobId, finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    // Complete and identical, with exactly the expected keys and no upload left open: the recorded
    // upload was continued and completed, not replaced by a second one.
    await expectCompleteExport(world, backup, 'crash');
    expect(job.progress.objectsCopied).toBe(21);
    expect(await uploadExists(world, `${crashed.destination.prefix}large.bin`, upload ?? '')).toBe(false);
  }, 180_000);

  it('leaves no upload behind when it crashes between CreateMultipartUpload and its checkpoint', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('orphan', 5),
      { name: 'large.bin', size: 20 * MiB, seed: 'orphan:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'orphan');
    const message = parked.sent[sentBefore] ?? '';
    const prefix = (await storedJob(world.project.projectId, jobId)).destination.prefix;
    // S3 creates the upload, and its answer takes 20 s to come back: the worker is killed before it can record it.
    await setFaults({
      services: ['s3'],
      buckets: [world.integration.bucketName],
      operations: ['CreateMultipartUpload'],
      timing: 'after',
      latencyMs: 20_000,
      errorRate: 0,
    });

    const worker = workerProcess(message, 12_000);
    const [orphan] = await eventually(
      async () => {
        const open = await openMultipartUploads(world, prefix);
        return open.length > 0 ? open : undefined;
      },
      'no upload was created',
      30_000,
    );
    worker.kill();
    expect(await worker.exited).toBe('SIGKILL');
    await clearFaults();
    expect(await plannedGroups(world.project.projectId, jobId)).toEqual([]);

    // The message comes back once the dead invocation's lease has lapsed; the stack's worker runs the job.
    await leasesLapsed(world.project.projectId, jobId);
    await redeliverToStack(parked.stackQueueUrl, message);
    const job = await waitForJob(world, jobId, finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    await expectCompleteExport(world, backup, 'orphan');
    expect(await openMultipartUploads(world, prefix)).toEqual([]);
    expect(await uploadExists(world, `${prefix}large.bin`, orphan ?? '')).toBe(false);
  }, 180_000);
});
