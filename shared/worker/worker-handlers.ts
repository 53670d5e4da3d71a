/**
 * The one way to write a function that is not an HTTP route (routes use shared/http/api-handler.ts):
 * pick the builder of the trigger, hand it the input's zod schema and the use case to run.
 *
 * Trigger, builder, and what a failure does:
 * - SQS queue, `sqsHandler`: fails only its own message (partial batch response): SQS delivers it again,
 *   then dead-letters it (a dead-letter queue's own consumer may drop malformed messages instead);
 * - EventBridge event, `eventHandler`: throws: EventBridge retries, then the async dead-letter queue keeps
 *   the event;
 * - EventBridge schedule, `scheduleHandler`: throws: retried like an event; the next tick runs anyway;
 * - Step Functions task, `taskHandler`: throws with the error's own name, which the state machine's Retry
 *   and Catch match.
 *
 * Every builder gives its worker the same three things:
 * - log keys, reset per invocation: `lambdaRequestId` on every line, and the trigger's ids
 *   (`eventId` and `detailType` of an event or a schedule; `messageId` and the ids `logKeys` picks
 *   from a queue message), never an event's content;
 * - metrics: what the invocation recorded is published once it ends, returned or thrown
 *   (publishMetrics in shared/logger.ts);
 * - input checked with zod (parse-input.ts) before the use case runs, so a use case only ever
 *   sees input of its own type.
 * What the use case decides stays in the use case: which failures are the customer's (recorded,
 * the message succeeds) and which are ours (thrown, the trigger retries).
 *
 * To add a worker:
 * 1. write the use case in `shared/<domain>/`, logging its outcome and recording its metrics, and
 *    export it, with the schema of its input, from `shared/<domain>/use-cases.ts`;
 * 2. `functions/<verb-noun>/handler.ts`: `export const handler = sqsHandler({ ... }, useCase)`
 *    (functions/forward-audit-logs/handler.ts is the example to copy), with a fixture in
 *    `events/<source>/<case>.json`;
 * 3. the function in serverless.yml with its trigger and its exact iamRoleStatements, the same
 *    statements in test/deployment/expected-permissions.ts, and a test that runs the handler.
 * Each builder tags its handler with its trigger (shared/handler-trigger.ts), and
 * test/worker/handler-builders.test.ts fails for a function whose handler is not the builder's of
 * its events in serverless.yml (a plain `async () => {...}` included).
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, EventBridgeEvent, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { triggeredBy } from '#shared/handler-trigger';
import { invocationLogKeys, logger, metricsPublished, startLogKeys, type LogKeys } from '#shared/logger';
import { parseInput, parseJsonInput } from '#shared/worker/parse-input';

/**
 * The middlewares every worker has: fresh log keys first, the metrics flush around everything.
 * Middy's early timeout (an error 5 ms before Lambda's) is off: workers budget their own time from
 * the context and hand over before the end, and an early error would abandon work that is
 * finishing and fail a queue worker's whole batch.
 */
const workerChain = <E, R>(keysOf?: (event: E) => LogKeys) =>
  middy<E, R, Error, Context>({ timeoutEarlyInMillis: 0 }).use(invocationLogKeys(keysOf)).use(metricsPublished());

export interface QueueWorker<S extends z.ZodType> {
  /** The schema of a message's JSON body; a body that does not match fails its message. */
  message: S;
  /** What one message's work is called in its log lines and errors, e.g. `forwarding run`. */
  work: string;
  /** Ids from the message for the log lines of its work (ids only: they are logged). */
  logKeys?: (message: z.infer<S>) => LogKeys;
  /**
   * The messages of a batch are independent: run them side by side, so the batch takes as long as
   * its slowest message. Their lines then carry only the invocation's keys; the failure line names
   * the message. Off: one message after another, each with its own log keys.
   */
  inParallel?: boolean;
  /**
   * What a message whose body does not match `message` does: `retry` (the default) fails it, so the
   * queue delivers it again and finally dead-letters it for an operator; `drop` logs it and lets it
   * go, for the consumer of a dead-letter queue, where nothing could ever make it act.
   */
  malformed?: 'retry' | 'drop';
}

/** The message being worked on, and the invocation's context (its remaining time). */
export interface QueueDelivery {
  messageId: string;
  context: Context;
}

/**
 * An SQS consumer with partial batch responses (the event source mapping must report
 * `ReportBatchItemFailures`): a message whose work throws, or that is malformed, is reported
 * failed and nothing else is.
 */
export function sqsHandler<S extends z.ZodType>(
  worker: QueueWorker<S>,
  work: (message: z.infer<S>, delivery: QueueDelivery) => Promise<void>,
) {
  const runRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    const keys: LogKeys = { messageId: record.messageId };
    const failed = (error: unknown): never => {
      logger.error(`${worker.work} failed: the queue delivers the message again, then dead-letters it`, {
        ...keys,
        error: error as Error,
      });
      throw error;
    };
    if (!worker.inParallel) startLogKeys(context, keys);
    let message: z.infer<S>;
    try {
      message = parseJsonInput(worker.message, record.body, `${worker.work} message`);
    } catch (error) {
      if (worker.malformed !== 'drop') return failed(error);
      return void logger.error(`${worker.work} dropped: malformed`, { ...keys, error: error as Error });
    }
    try {
      Object.assign(keys, worker.logKeys?.(message));
      if (!worker.inParallel) logger.appendKeys(keys);
      await work(message, { messageId: record.messageId, context });
    } catch (error) {
      failed(error);
    }
  };
  const handler = workerChain<SQSEvent, SQSBatchResponse>().handler((event, context) =>
    processPartialResponse(
      event,
      (record: SQSRecord) => runRecord(record, context),
      // One processor per invocation: its state is this batch's even when a process runs
      // invocations side by side (tests, the local stack).
      new BatchProcessor(EventType.SQS),
      // A batch whose every message failed is answered like any other: each message is
      // retried and dead-lettered on its own count.
      { context, processInParallel: worker.inParallel ?? false, throwOnFullBatchFailure: false },
    ),
  );
  return triggeredBy('sqs', handler);
}

/** What this service reads of an EventBridge envelope; the detail is the use case's to check. */
const eventEnvelope = z.looseObject({
  id: z.string().min(1),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  account: z.string(),
  time: z.string(),
});

const eventLogKeys = (event: { id?: string; 'detail-type'?: string } | undefined): LogKeys => ({
  eventId: event?.id,
  detailType: event?.['detail-type'],
});

/**
 * An EventBridge rule's target: the use case gets the whole event, its envelope checked. What the
 * use case returns goes nowhere (EventBridge invokes asynchronously), so the handler returns nothing.
 */
export function eventHandler(work: (event: EventBridgeEvent<string, unknown>) => Promise<unknown>) {
  const handler = workerChain<EventBridgeEvent<string, unknown>, void>(eventLogKeys).handler(async (event) => {
    parseInput(eventEnvelope, event, 'EventBridge event');
    await work(event);
  });
  return triggeredBy('eventBridge', handler);
}

/** One firing of a schedule. */
export interface Tick {
  id: string;
  /**
   * The event's own time, so that a retried invocation describes the same tick; the invocation's
   * start when the event carries no usable time.
   */
  time: Date;
  /** The event's detail: `{}` from the schedule; what an operator's one-off invocation names, if anything. */
  detail: unknown;
}

const scheduledEvent = z.looseObject({
  id: z.string().min(1),
  time: z.string().optional(),
  detail: z.unknown().optional(),
});

/** An EventBridge schedule's target. */
export function scheduleHandler<R>(work: (tick: Tick, context: Context) => Promise<R>) {
  const handler = workerChain<ScheduledEvent, R>(eventLogKeys).handler((event, context) => {
    const { id, time, detail } = parseInput(scheduledEvent, event, 'scheduled event');
    const at = new Date(time ?? Number.NaN);
    return work({ id, time: Number.isNaN(at.getTime()) ? new Date() : at, detail }, context);
  });
  return triggeredBy('schedule', handler);
}

export interface StateMachineTask<S extends z.ZodType> {
  /** The task's Parameters in the state machine definition. */
  input: S;
  /** What the task's input is called in the error a mismatch throws, e.g. `validation task`. */
  name: string;
}

/**
 * A Step Functions Task's function. Only the state machine invokes it, so malformed input is a bug
 * in the definition: it throws, and the state machine's Catch ends the run.
 */
export function taskHandler<S extends z.ZodType, R>(
  task: StateMachineTask<S>,
  work: (input: z.infer<S>) => Promise<R>,
) {
  const handler = workerChain<unknown, R>().handler((event) =>
    work(parseInput(task.input, event, `${task.name} input`)),
  );
  return triggeredBy('task', handler);
}
