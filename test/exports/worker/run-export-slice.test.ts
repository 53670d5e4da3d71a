/**
 * How an export survives Lambda's time limit, crashes and duplicate deliveries. The test plays
 * Lambda's event source mapping: it hands each message the real handlers sent to the next
 * invocation of the real worker, with a time budget it chooses, or kills an invocation mid-copy.
 *
 * Uses the endpoint's fault injection (one setting for the whole endpoint): tests run in order.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { jobMessage, type JobMessage } from '#shared/exports/export-queue';
import { loadCheckpoints } from '#shared/exports/file-store';
import { clearFaults, setFaults } from '../../support/local-stack';
import { smallFiles, type BackupFileSpec } from '../support/backup-data';
import {
  announceBackup,
  eventually,
  exportWorld,
  expectCompleteExport,
  finished,
  openMultipartUploads,
  platformBackup,
  storedJob,
  waitForJob,
} from '../support/export-stack';
import { lambdaContext, parkExportMessages, redeliverToStack, sqsEvent, startInProcess } from '../support/in-process';
import { actAsFunctions } from '../../support/function-roles';

const MiB = 1024 * 1024;
const parked = parkExportMessages();
// The handlers run here as their functions' role, which may also send to the queue the test parks messages in.
await actAsFunctions(
  ['runExportJob', 'startBackupExport'],
  [
    {
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:us-east-1:111111111111:${parked.parkingQueue}`,
    },
  ],
);

afterEach(async () => {
  await clearFaults();
});

const parse = (body: string): JobMessage => jobMessage.parse(JSON.parse(body));
const isOver = (status: string) => status === 'SUCCEEDED' || status === 'FAILED';

const invoke = (body: string, remainingMs: number) =>
  runExportJob(sqsEvent(body), lambdaContext(remainingMs) as Context);

describe('export worker invocations', () => {
  it('hands over to fresh invocations when its time runs out, each resuming where the last stopped', async () => {
    const world = await exportWorld();
    const files: BackupFileSpec[] = [
      ...smallFiles('slices', 400),
      { name: 'large.bin', size: 40 * MiB + 1, seed: 'slices:large' },
    ];
    const backup = await platformBackup(world.clusterId, files);
    await announceBackup(world.project, world.clusterId, backup);
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'sliced');
    // Every write to the customer bucket takes 700 ms more: 400 small files, 32 at a time, need
    // at least 13 such rounds, and an invocation fits at most 4 (it starts none after 2.4 s), so
    // the work cannot fit in fewer than four invocations however fast this machine is.
    await setFaults({
      services: ['s3'],
      buckets: [world.integration.bucketName],
      actions: ['s3:PutObject'],
      latencyMs: 700,
      errorRate: 0,
    });

    const messagesOfJob = () => parked.sent.slice(sentBefore).filter((body) => parse(body).jobId === jobId);
    const progress: Array<{ objects: number; bytes: number }> = [];
    let delivered = 0;
    // Each invocation gets 4 s: it stops starting work after 2.4 s and aborts what is still in flight at 3.6 s.
    while (!isOver((await storedJob(world.project.projectId, jobId)).status)) {
      const next = messagesOfJob()[delivered];
      if (!next) throw new Error('the worker stopped without finishing the job or handing it over');
      delivered += 1;
      expect(await invoke(next, 4_000)).toEqual({ batchItemFailures: [] });
      const after = (await storedJob(world.project.projectId, jobId)).progress;
      progress.push({ objects: after.objectsCopied, bytes: after.bytesCopied });
      if (delivered > 60) throw new Error('too many invocations');
    }

    const job = await storedJob(world.project.projectId, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    const sent = messagesOfJob().map(parse);
    // The first message starts the job; every later one is a continuation naming the invocation that handed over.
    expect(sent[0]).toEqual({ projectId: world.project.projectId, jobId, turn: 0 });
    const continuations = sent.slice(1);
    expect(continuations.length).toBeGreaterThanOrEqual(3);
    continuations.forEach((message, index) => {
      expect(message.turn).toBe(index + 1);
      expect(message.after).toMatch(/^[\w-]+:[\w-]+$/);
    });
    expect(delivered).toBe(sent.length);
    // Each invocation went on from what the previous one had checkpointed; none started over.
    // (An invocation whose work in flight was all cut off at its deadline may add nothing.)
    progress.reduce((previous, current) => {
      expect(current.objects).toBeGreaterThanOrEqual(previous.objects);
      expect(current.bytes).toBeGreaterThanOrEqual(previous.bytes);
      return current;
    });
    expect(
      progress.filter((step, index) => index === 0 || step.bytes > (progress[index - 1]?.bytes ?? 0)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(job.turn).toBe(continuations.length);
    await expectCompleteExport(world, backup, 'sliced');
  }, 240_000);

  it('lets only one of two simultaneous deliveries of a message work, and drops stale ones', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('twice', 50),
      { name: 'large.bin', size: 40 * MiB, seed: 'twice:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'twice');
    const first = parked.sent[sentBefore] ?? '';
    // Slow enough that the export cannot finish within one invocation.
    await setFaults({ services: ['s3'], buckets: [world.integration.bucketName], latencyMs: 300, errorRate: 0 });

    await Promise.all([invoke(first, 2_000), invoke(first, 2_000)]);
    await clearFaults();
    const afterRace = parked.sent.slice(sentBefore + 1).filter((body) => parse(body).jobId === jobId);
    // One invocation took the lease (the epoch counts takeovers) and handed over once; the other
    // found the job held and dropped its copy of the message.
    expect((await storedJob(world.project.projectId, jobId)).leaseEpoch).toBe(1);
    expect(afterRace.map(parse).map((message) => message.turn)).toEqual([1]);

    // The first message again, late (SQS delivers at least once): its turn is over, nothing happens.
    const before = await storedJob(world.project.projectId, jobId);
    await invoke(first, 2_000);
    expect(await storedJob(world.project.projectId, jobId)).toMatchObject({
      turn: before.turn,
      progress: before.progress,
      leaseEpoch: before.leaseEpoch,
    });

    await redeliverToStack(parked.stackQueueUrl, afterRace[0] ?? '');
    const job = await waitForJob(world, jobId, finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    await expectCompleteExport(world, backup, 'twice');
  }, 180_000);

  it('resumes after an invocation is killed mid-upload, from its checkpoint, without a second copy', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('crash', 20),
      { name: 'large.bin', size: 150 * MiB + 7, seed: 'crash:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'crash');
    const message = parked.sent[sentBefore] ?? '';
    const attempt = { projectId: world.project.projectId, jobId, attempt: 1 };
    // Slow writes down, so parts are recorded one wave after another while we watch.
    await setFaults({
      services: ['s3'],
      buckets: [world.integration.bucketName],
      actions: ['s3:PutObject'],
      latencyMs: 700,
      errorRate: 0,
    });

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('../support/worker-process.ts', import.meta.url)), message, '12000'],
      {
        env: process.env,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const atCrash = await eventually(
      async () => {
        const large = (await loadCheckpoints(attempt)).find((file) => file.name === 'large.bin');
        return large?.upload && Object.keys(large.parts ?? {}).length > 0 ? large : undefined;
      },
      'no part was recorded',
      30_000,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await clearFaults();

    const partsAtCrash = Object.keys(atCrash.parts ?? {}).length;
    expect(partsAtCrash).toBeLessThan(19);
    const crashed = await storedJob(world.project.projectId, jobId);
    expect(crashed.status).toBe('RUNNING');
    expect(await openMultipartUploads(world, crashed.destination.prefix)).toEqual([atCrash.upload?.uploadId]);

    // SQS delivers the message again after its visibility timeout, which outlasts the dead invocation's lease.
    await eventually(async () => Date.now() > (crashed.lease?.expiresAt ?? 0), 'the lease did not lapse', 30_000);
    await redeliverToStack(parked.stackQueueUrl, message);
    const job = await waitForJob(world, jobId, finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    // Complete and identical, with exactly the expected keys and no upload left open: the recorded
    // upload was continued and completed, not replaced by a second one.
    await expectCompleteExport(world, backup, 'crash');
    expect(job.progress.objectsCopied).toBe(21);
  }, 180_000);
});
