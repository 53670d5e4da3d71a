/**
 * The local SQS: batches delivered to the function in the SQS event shape, partial failures redelivered,
 * dead letters and retention, and queues created at run time read by their creator.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueues } from '#runtime/sqs';
import { callsOf, fixtureCalls } from './fixtures/runtime/functions/calls';
import { FIXTURE_ENDPOINT, eventually, loadFixtureRuntime, type FixtureRuntime } from './support/fixture-runtime';

let runtime: FixtureRuntime;
let queues: LocalQueues;

const workQueueUrl = `${FIXTURE_ENDPOINT}/111111111111/WorkQueue`;

function queue(name: string) {
  const found = queues.queues.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no queue ${name}`);
  return found;
}

function receivedBodies(): string[] {
  return callsOf('worker').flatMap((call) => (call.event as SQSEvent).Records.map((record) => record.body));
}

beforeAll(async () => {
  runtime = await loadFixtureRuntime();
});

beforeEach(() => {
  fixtureCalls().length = 0;
  queues = new LocalQueues(runtime.cloudFormation, runtime.functions);
  queues.start();
});

afterEach(() => queues.close());

describe('local SQS', () => {
  it('delivers batches in the SQS event shape and deletes what the function processed', async () => {
    await queues.sendMessages('http://localhost:4566/111111111111/WorkQueue', ['one', 'two']);
    await eventually(() => queue('WorkQueue').messages.length === 0);
    const record = (callsOf('worker')[0]?.event as SQSEvent).Records[0];
    expect(record).toMatchObject({
      body: 'one',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:WorkQueue',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(receivedBodies()).toEqual(['one', 'two']);
  });

  it('redelivers only the failed items of a partial batch failure after the visibility timeout', async () => {
    await queues.sendMessages(workQueueUrl, ['ok', 'fail']);
    await eventually(() => receivedBodies().length === 2);
    expect(queue('WorkQueue').messages.map((message) => message.body)).toEqual(['fail']);
    // Still invisible right after the failure: VisibilityTimeout is 1 s in the fixture.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receivedBodies()).toEqual(['ok', 'fail']);
    await eventually(() => receivedBodies().length === 3, 3000);
    const retry = (callsOf('worker')[1]?.event as SQSEvent).Records[0];
    expect(retry).toMatchObject({ body: 'fail', attributes: { ApproximateReceiveCount: '2' } });
  });

  it('moves a message to the dead-letter queue after maxReceiveCount failed receives', async () => {
    await queues.sendMessages(workQueueUrl, ['crash']);
    await eventually(() => queue('runtime-fixture-test-work-dlq').messages.length === 1, 5000);
    expect(queue('WorkQueue').messages).toHaveLength(0);
    // maxReceiveCount: 2 -> the function saw it twice, never a third time.
    expect(receivedBodies()).toEqual(['crash', 'crash']);
    expect(queue('runtime-fixture-test-work-dlq').messages[0]?.body).toBe('crash');
  });

  it('with retryDelayMs (tests), a failed message comes back after it, not after the visibility timeout', async () => {
    await queues.close();
    queues = new LocalQueues(runtime.cloudFormation, runtime.functions, { retryDelayMs: 50 });
    queues.start();
    const sent = Date.now();
    await queues.sendMessages(workQueueUrl, ['crash']);
    // Both receives within the 1 s VisibilityTimeout of the fixture's WorkQueue, then the dead-letter queue.
    await eventually(() => queue('runtime-fixture-test-work-dlq').messages.length === 1, 5000);
    expect(Date.now() - sent).toBeLessThan(900);
    expect(receivedBodies()).toEqual(['crash', 'crash']);
  });

  it('drops a message older than the retention period without delivering it', async () => {
    await queues.close();
    const paused = new LocalQueues(runtime.cloudFormation, runtime.functions);
    await paused.sendMessages(workQueueUrl, ['stale', 'fresh']);
    const work = paused.queues.find((candidate) => candidate.name === 'WorkQueue');
    const stale = work?.messages.find((message) => message.body === 'stale');
    if (!work || !stale) throw new Error('the fixture queue holds the messages');
    // The fixture keeps SQS's default of four days.
    stale.sentAt -= 345_601_000;
    paused.start();
    await eventually(() => work.messages.length === 0);
    await paused.close();
    expect(receivedBodies()).toEqual(['fresh']);
  });

  it('refuses an unknown queue with the SQS error code', async () => {
    await expect(queues.sendMessages(`${FIXTURE_ENDPOINT}/111111111111/NoSuchQueue`, ['x'])).rejects.toMatchObject({
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      statusCode: 400,
    });
  });

  it(
    'CreateQueue, ReceiveMessage, DeleteMessage: a queue nobody consumes, read by its creator; a received message ' +
      'hides, a stale receipt deletes nothing',
    async () => {
      const created = queues.createQueue(FIXTURE_ENDPOINT, '222222222222', 'reader');
      expect(created).toMatchObject({
        url: `${FIXTURE_ENDPOINT}/222222222222/reader`,
        arn: 'arn:aws:sqs:us-east-1:222222222222:reader',
      });
      expect(queues.createQueue(FIXTURE_ENDPOINT, '222222222222', 'reader')).toBe(created);
      expect(() => queues.createQueue(FIXTURE_ENDPOINT, '222222222222', 'bad name')).toThrow(/alphanumeric/);
      await queues.sendMessages(created.url, ['one', 'two']);
      const first = queues.receiveFor(created.url, 1);
      expect(first.map((message) => message.body)).toEqual(['one']);
      expect(queues.receiveFor(created.url, 10).map((message) => message.body)).toEqual(['two']);
      queues.deleteFor(created.url, `${first[0]?.messageId}#0`);
      queues.deleteFor(created.url, first[0]?.receiptHandle ?? '');
      expect(queue('reader').messages.map((message) => message.body)).toEqual(['two']);
      expect(() => queues.receiveFor(`${FIXTURE_ENDPOINT}/222222222222/missing`, 1)).toThrow(/does not exist/);
    },
  );
});
