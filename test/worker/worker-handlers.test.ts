/**
 * The worker builders' own promises, with small use cases of the test's making (the real workers'
 * tests run them with real use cases): which messages of a batch fail, what the log lines carry and
 * never carry, metrics published even when the use case throws, and input checked before it runs.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBridgeEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, metrics } from '#shared/logger';
import { eventHandler, scheduleHandler, sqsHandler, taskHandler } from '#shared/worker/worker-handlers';
import { lambdaContext } from '../support/lambda-context';

const message = z.strictObject({ jobId: z.string(), fail: z.boolean().optional() });

function sqsEvent(bodies: string[]): SQSEvent {
  return { Records: bodies.map((body) => ({ messageId: randomUUID(), body }) as SQSEvent['Records'][number]) };
}

/** The JSON lines the logger writes while `run` runs. */
async function logLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  const errors = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  try {
    await run().catch(() => undefined);
  } finally {
    spy.mockRestore();
    errors.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

afterEach(() => metrics.clearMetrics());

describe('sqsHandler', () => {
  const handler = sqsHandler({ message, work: 'test job', logKeys: ({ jobId }) => ({ jobId }) }, async ({ fail }) => {
    logger.info('working');
    if (fail) throw new Error('use case failed');
  });

  it('fails only the messages that are malformed or whose work throws, even when every message fails', async () => {
    const event = sqsEvent([
      JSON.stringify({ jobId: 'a' }),
      'secret-value not json',
      JSON.stringify({ jobId: 'secret-value', extra: 1 }),
      JSON.stringify({ jobId: 'd', fail: true }),
    ]);
    const answer = await handler(event, lambdaContext());
    expect(answer.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.slice(1).map((record) => record.messageId),
    );

    const allBad = sqsEvent(['{', '[]']);
    expect((await handler(allBad, lambdaContext())).batchItemFailures).toHaveLength(2);
  });

  it('lets the work use all of the time it budgets from the context: no early timeout cuts it off', async () => {
    const slow = sqsHandler({ message, work: 'slow job' }, () => sleep(60));
    await expect(slow(sqsEvent([JSON.stringify({ jobId: 'a' })]), lambdaContext(20))).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it("logs each message with its own keys, never an earlier message's, and never a body", async () => {
    const event = sqsEvent([
      JSON.stringify({ jobId: 'first', fail: true }),
      JSON.stringify({ jobId: 'second' }),
      'secret-value',
    ]);
    const context = lambdaContext();
    const lines = await logLines(() => handler(event, context));
    const [first, second, third] = event.Records.map((record) => record.messageId);
    expect(lines.map((line) => [line.message, line.messageId, line.jobId])).toEqual([
      ['working', first, 'first'],
      ['test job failed: the queue delivers the message again, then dead-letters it', first, 'first'],
      ['working', second, 'second'],
      ['test job failed: the queue delivers the message again, then dead-letters it', third, undefined],
    ]);
    expect(lines.every((line) => line.lambdaRequestId === context.awsRequestId)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('secret-value');
  });
});

describe('eventHandler, scheduleHandler and taskHandler', () => {
  const event = (detail: unknown) =>
    ({
      id: 'evt-1',
      source: 'platform.test',
      'detail-type': 'Test Happened',
      account: '111111111111',
      time: '2026-01-01T00:00:00Z',
      detail,
    }) as EventBridgeEvent<string, unknown>;

  it('publishes what the invocation recorded, also when the use case throws', async () => {
    const handler = eventHandler(async () => {
      metrics.addMetric('TestCount', MetricUnit.Count, 1);
      throw new Error('use case failed');
    });
    await expect(handler(event({}), lambdaContext())).rejects.toThrow('use case failed');
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('logs the event ids and refuses an envelope that is not an EventBridge event', async () => {
    const handler = eventHandler(async () => logger.info('handled'));
    const lines = await logLines(() => handler(event({ token: 'secret-value' }), lambdaContext()));
    expect(lines).toMatchObject([{ message: 'handled', eventId: 'evt-1', detailType: 'Test Happened' }]);
    expect(JSON.stringify(lines)).not.toContain('secret-value');
    await expect(handler({ id: 'x' } as EventBridgeEvent<string, unknown>, lambdaContext())).rejects.toThrow(
      'Malformed EventBridge event: check source, detail-type, account, time',
    );
  });

  it("hands a schedule's use case the tick's own time, or now when the event has none", async () => {
    const handler = scheduleHandler(async (tick) => tick);
    const scheduled = { id: 'tick-1', time: '2026-01-01T00:01:00Z' } as ScheduledEvent;
    expect(await handler(scheduled, lambdaContext())).toEqual({ id: 'tick-1', time: new Date('2026-01-01T00:01:00Z') });
    const before = Date.now();
    const untimed = await handler({ ...scheduled, time: 'not a time' }, lambdaContext());
    expect(untimed.time.getTime()).toBeGreaterThanOrEqual(before);
  });

  it("checks a task's input and throws a plain Error naming the fields, for the state machine's Catch", async () => {
    const handler = taskHandler({ input: message, name: 'test task' }, async ({ jobId }) => ({ jobId }));
    await expect(handler({ jobId: 'j' }, lambdaContext())).resolves.toEqual({ jobId: 'j' });
    const refused = await handler({ jobId: 7 }, lambdaContext()).catch((error: Error) => error);
    expect(refused).toMatchObject({ name: 'Error', message: 'Malformed test task input: check jobId' });
  });
});
