import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { config } from '#shared/config';
import { logger, metricsPublished } from '#shared/logger';
import { catchUp } from '#shared/forwarding/delivery/catch-up-run';
import { runReplaySlice } from '#shared/forwarding/replay/run-replay';
import { forwardingRunMessage } from '#shared/forwarding/schemas';

/**
 * The catch-up worker of audit-log forwarding (ForwardingQueue): catch-up runs of one cluster
 * (pending files, the scheduler's reconciliation) and slices of replay jobs, each message its own
 * run, side by side. A cluster whose bucket fails is recorded in its health and retried later, so
 * its message still succeeds; only an error of our own (a bad message, DynamoDB down) fails the
 * message, which SQS delivers again and finally dead-letters, without failing the others.
 */
const RUN_MS = 45_000;
/** Time kept after the last file for recording the outcome. */
const FINISH_RESERVE_MS = 10_000;
/** Longer than the function's timeout (60 s in serverless.yml), so an expired lease means a dead run. */
const LEASE_MS = 90_000;
const FILE_TIMEOUT_MS = 20_000;

function parse(record: SQSRecord) {
  try {
    return forwardingRunMessage.safeParse(JSON.parse(record.body));
  } catch {
    return undefined;
  }
}

async function runOne(record: SQSRecord, context: Context): Promise<void> {
  const message = parse(record);
  if (!message?.success) throw new Error('malformed forwarding message');
  const started = Date.now();
  const deadline = Math.min(started + RUN_MS, started + context.getRemainingTimeInMillis() - FINISH_RESERVE_MS);
  const { data } = message;
  if (data.kind === 'replay') {
    await runReplaySlice(data, { deadline, leaseMs: LEASE_MS, fileTimeoutMs: FILE_TIMEOUT_MS });
    return;
  }
  await catchUp(data, { reason: data.reason, deadline, leaseMs: LEASE_MS, eventGraceSeconds: config().FORWARDING_EVENT_GRACE_SECONDS, fileTimeoutMs: FILE_TIMEOUT_MS });
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(metricsPublished())
  .handler(async (event, context) => {
    const outcomes = await Promise.allSettled(event.Records.map((record) => runOne(record, context)));
    const batchItemFailures = outcomes.flatMap((outcome, index) => {
      if (outcome.status === 'fulfilled') return [];
      const { messageId } = event.Records[index] as SQSRecord;
      logger.error('forwarding run failed; the message will be retried', { messageId, error: outcome.reason as Error });
      return [{ itemIdentifier: messageId }];
    });
    return { batchItemFailures };
  });
