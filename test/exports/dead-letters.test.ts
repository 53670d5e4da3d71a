/**
 * Export work that dead-letters ends its job (shared/exports/worker/end-dead-lettered-work.ts), and
 * the sweeper's handler ends what nobody works on any more (shared/exports/sweep-export-jobs.ts).
 *
 * On the stack: a lane whose work unit the table refuses to update fails every delivery; the local
 * SQS moves its message to ExportDeadLetterQueue after maxReceiveCount (LOCAL_SQS_RETRY_MS makes
 * the redeliveries quick), and endDeadLetteredExport ends the job. In this process: stale and
 * repeated dead letters, through the real handler. The stack's sweeper runs every 2 s
 * (LOCAL_SCHEDULE_SECONDS), so a job made to look old is swept by the real scheduled handler.
 *
 * One worker per 16 MiB in this process (EXPORT_GIB_PER_WORKER), so a 34 MiB backup planned here
 * gets two lanes.
 */
process.env.EXPORT_GIB_PER_WORKER = String(16 / 1024);

import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as endDeadLetteredExport } from '#functions/end-dead-lettered-export/handler';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { attemptKey } from '#shared/exports/checkpoints/attempt';
import { loadSlots } from '#shared/exports/export-slots';
import { acquireJobLease } from '#shared/exports/job-lease';
import { exportSortKey, keys } from '#shared/table/keys';
import { smallFiles } from './support/backup-data';
import {
  announceBackup,
  exportWorld,
  expectCompleteExport,
  finished,
  platformBackup,
  storedJob,
  waitForJob,
  type ExportWorld,
} from './support/export-stack';
import {
  lambdaContext,
  messagesOfJob,
  redeliverToStack,
  runExportHandlersHere,
  sqsEvent,
  startInProcess,
} from './support/in-process';

const parked = await runExportHandlersHere(['runExportJob', 'startBackupExport', 'endDeadLetteredExport']);

const MiB = 1024 * 1024;
const RETRIES_EXHAUSTED = 'EXPORT_RETRIES_EXHAUSTED';
const parkedOf = (jobId: string) => parked.sent.filter((body) => body.includes(jobId));

/** Delivers `body` to the real handler as its queue's event source mapping would. */
async function deliver(handler: typeof runExportJob, body: string) {
  return handler(sqsEvent(body), lambdaContext(60_000) as Context);
}

/** A project with an ACTIVE integration and a small backup of `files` files, announced. */
async function worldWithBackup(label: string, files: number) {
  const world = await exportWorld();
  const backup = await platformBackup(world.clusterId, smallFiles(label, files));
  await announceBackup(world.project, world.clusterId, backup);
  return { world, backup };
}

/** A job an invocation took (lease until `expiresAt`) whose message turn is `turn`. */
async function takenJob(world: ExportWorld, jobId: string, owner: string, expiresAt: number, turn = 0) {
  const lease = await acquireJobLease({ projectId: world.project.projectId, jobId }, { owner, expiresAt, turn });
  expect(lease.kind).toBe('acquired');
}

/** Moves a job's clock back: it last moved `minutes` ago, as the sweeper reads it. */
async function lastMoved(world: ExportWorld, jobId: string, minutes: number) {
  await dynamodb.send(
    new UpdateCommand({
      TableName: process.env.TABLE_NAME,
      Key: keys.job(world.project.projectId, jobId),
      UpdateExpression: 'SET updatedAt = :then',
      ExpressionAttributeValues: { ':then': new Date(Date.now() - minutes * 60_000).toISOString() },
    }),
  );
}

describe('export work that dead-letters', () => {
  it(
    'a lane that fails every delivery ends its job FAILED with its code once its message dead-letters, ' +
      "and the freed slot starts the project's next waiting job",
    async () => {
      const world = await exportWorld();
      const large = await platformBackup(world.clusterId, [
        { name: 'segments/a.bin', size: 17 * MiB, seed: 'dlq:a' },
        { name: 'segments/b.bin', size: 17 * MiB, seed: 'dlq:b' },
      ]);
      const small = await platformBackup(world.clusterId, smallFiles('dlq-next', 3));
      await announceBackup(world.project, world.clusterId, large);
      await announceBackup(world.project, world.clusterId, small);

      // The job that will lose a lane, and jobs holding the project's other slots (their messages stay parked).
      const jobId = await startInProcess(world, large, 'lost-lane');
      const holders: string[] = [];
      for (let index = 1; index < config().MAX_RUNNING_EXPORTS_PER_PROJECT; index += 1)
        holders.push(await startInProcess(world, small, `holder-${index}`));
      const next = await startInProcess(world, small, 'next-in-line');
      expect(await storedJob(world.project.projectId, next)).toMatchObject({ status: 'PENDING' });
      expect((await storedJob(world.project.projectId, next)).waitingSince).toBeDefined();

      // Its coordinator plans two lanes, sends lane 1 off (parked) and copies lane 0 itself.
      const [jobMessage] = parkedOf(jobId);
      expect((await deliver(runExportJob, jobMessage ?? '')).batchItemFailures).toEqual([]);
      const planned = await storedJob(world.project.projectId, jobId);
      expect(planned).toMatchObject({ status: 'RUNNING', workers: 2, lanesDone: 1 });
      const laneMessage = messagesOfJob(parked.sent, jobId, 0).find((message) => 'unit' in message);
      expect(laneMessage).toMatchObject({ unit: 1, attempt: 1 });

      // The table refuses every update of lane 1's unit: each delivery of its message throws.
      await dynamodb.send(
        new UpdateCommand({
          TableName: process.env.TABLE_NAME,
          Key: attemptKey({ projectId: world.project.projectId, jobId, attempt: 1 }, exportSortKey.unit(1)),
          UpdateExpression: 'SET epoch = :poison',
          ExpressionAttributeValues: { ':poison': 'not-a-number' },
        }),
      );
      await redeliverToStack(parked.stackQueueUrl, JSON.stringify(laneMessage));

      const failed = await waitForJob(world, jobId, finished, 60_000);
      expect(failed).toMatchObject({ status: 'FAILED', error: { code: RETRIES_EXHAUSTED } });
      expect(failed.error?.message).toMatch(/request the same export again/);
      const slots = await loadSlots(world.project.projectId);
      expect(slots?.running ?? new Set()).not.toContain(jobId);
      expect((await storedJob(world.project.projectId, jobId)).lease).toBeUndefined();

      // The slot went to the job in line, which the stack's worker runs to the end.
      const started = await waitForJob(world, next, finished, 60_000);
      expect(started.status, JSON.stringify(started.error)).toBe('SUCCEEDED');
      await expectCompleteExport(world, small, 'next-in-line');

      // The slot holders run too, so nothing of this test is left waiting on the stack.
      for (const holder of holders) await redeliverToStack(parked.stackQueueUrl, parkedOf(holder)[0] ?? '');
    },
    120_000,
  );

  it(
    'a dead letter ends a job that never got its lease, once; a dead letter of an earlier attempt leaves ' +
      'the restarted job alone',
    async () => {
      const { world, backup } = await worldWithBackup('dlq-stale', 3);
      const jobId = await startInProcess(world, backup, 'stale');
      const [firstMessage = ''] = parkedOf(jobId);

      // Its message dead-lettered before any invocation took the job (PENDING, holding a slot).
      expect((await deliver(endDeadLetteredExport, firstMessage)).batchItemFailures).toEqual([]);
      const ended = await storedJob(world.project.projectId, jobId);
      expect(ended).toMatchObject({ status: 'FAILED', error: { code: RETRIES_EXHAUSTED } });
      expect((await loadSlots(world.project.projectId))?.running ?? new Set()).not.toContain(jobId);
      // The same dead letter again changes nothing.
      expect((await deliver(endDeadLetteredExport, firstMessage)).batchItemFailures).toEqual([]);
      expect(await storedJob(world.project.projectId, jobId)).toEqual(ended);

      // Requested again, the job restarts as attempt 2 at a later turn; an invocation took it and died.
      const sentBefore = parked.sent.length;
      expect(await startInProcess(world, backup, 'stale')).toBe(jobId);
      const [restartMessage = ''] = parked.sent.slice(sentBefore).filter((body) => body.includes(jobId));
      const restarted = await storedJob(world.project.projectId, jobId);
      expect(restarted).toMatchObject({ status: 'PENDING', attempt: 2 });
      await takenJob(world, jobId, 'died', Date.now() - 1, restarted.turn);
      const running = await storedJob(world.project.projectId, jobId);

      // Dead letters of attempt 1 (its job message, a lane's unit message) find nothing to end.
      const oldLane = JSON.stringify({ projectId: world.project.projectId, jobId, attempt: 1, unit: 0, turn: 0 });
      for (const stale of [firstMessage, oldLane])
        expect((await deliver(endDeadLetteredExport, stale)).batchItemFailures).toEqual([]);
      expect(await storedJob(world.project.projectId, jobId)).toEqual(running);

      // A malformed dead letter is dropped, not retried: it could never be acted on.
      expect((await deliver(endDeadLetteredExport, '{"jobId":"../x"}')).batchItemFailures).toEqual([]);

      // The restarted attempt carries on and completes.
      expect((await deliver(runExportJob, restartMessage)).batchItemFailures).toEqual([]);
      expect(await storedJob(world.project.projectId, jobId)).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
      await expectCompleteExport(world, backup, 'stale');
    },
  );
});

describe('dead letters the consumer cannot act on now', () => {
  it(
    'a job held by a live invocation: the failure is recorded for its holder, and the dead letter is ' +
      'failed so that the queue delivers it again',
    async () => {
      const { world, backup } = await worldWithBackup('dlq-held', 2);
      const jobId = await startInProcess(world, backup, 'held');
      const [message = ''] = parkedOf(jobId);
      await takenJob(world, jobId, 'alive', Date.now() + 600_000);

      const event = sqsEvent(message);
      const result = await endDeadLetteredExport(event, lambdaContext(60_000) as Context);
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
      const held = await storedJob(world.project.projectId, jobId);
      expect(held).toMatchObject({
        status: 'RUNNING',
        lease: { owner: 'alive' },
        failure: { code: RETRIES_EXHAUSTED },
      });
    },
  );

  it('the fixture: a dead letter of a job that does not exist and a malformed one are both let go', async () => {
    const event = JSON.parse(readFileSync('events/aws.sqs/end-dead-lettered-export.json', 'utf8')) as SQSEvent;
    expect(await endDeadLetteredExport(event, lambdaContext(60_000) as Context)).toEqual({ batchItemFailures: [] });
  });
});

describe("the sweeper's scheduled handler", () => {
  it(
    'finds through ExportSlotIndex and ends a job whose lease lapsed hours ago, sends again the message of a ' +
      'job that never got a lease, and ends one that never got a lease for hours',
    async () => {
      const { world, backup } = await worldWithBackup('swept', 2);
      const abandonedAfter = config().EXPORT_ABANDONED_AFTER_MINUTES;

      // An invocation took this one and died, long ago; its message is gone.
      const died = await startInProcess(world, backup, 'died');
      await takenJob(world, died, 'crashed', Date.now() - 1);
      await lastMoved(world, died, abandonedAfter + 1);
      // These two hold a slot but never got a lease: their messages were lost (they stay parked).
      const lost = await startInProcess(world, backup, 'lost');
      await lastMoved(world, lost, 20);
      const lostLongAgo = await startInProcess(world, backup, 'lost-long-ago');
      await lastMoved(world, lostLongAgo, abandonedAfter + 1);

      const [endedDied, endedLongAgo] = await Promise.all([
        waitForJob(world, died, finished, 30_000),
        waitForJob(world, lostLongAgo, finished, 30_000),
      ]);
      expect(endedDied).toMatchObject({ status: 'FAILED', error: { code: 'EXPORT_ABANDONED' } });
      expect(endedLongAgo).toMatchObject({ status: 'FAILED', error: { code: 'EXPORT_ABANDONED' } });
      // The lost message is sent again (to the stack's queue), and the stack's worker runs the job.
      const redispatched = await waitForJob(world, lost, finished, 60_000);
      expect(redispatched.status, JSON.stringify(redispatched.error)).toBe('SUCCEEDED');
      await expectCompleteExport(world, backup, 'lost');
      const slots = await loadSlots(world.project.projectId);
      for (const jobId of [died, lost, lostLongAgo]) expect(slots?.running ?? new Set()).not.toContain(jobId);
    },
    90_000,
  );
});
