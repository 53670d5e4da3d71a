/**
 * The catch-up worker of audit-log forwarding (ForwardingQueue): catch-up runs of one cluster
 * (pending files, the scheduler's reconciliation) and slices of replay jobs, each message its own
 * run, side by side (shared/forwarding/forwarding-runs.ts). Only an error of ours (DynamoDB down)
 * fails a message, which SQS delivers again and finally dead-letters, without failing the others.
 */
import { forwardingRunMessage, runForwardingMessage } from '#shared/forwarding/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

export const handler = sqsHandler(
  {
    message: forwardingRunMessage,
    work: 'forwarding run',
    logKeys: ({ projectId, clusterId }) => ({ projectId, clusterId }),
    inParallel: true,
  },
  (message, { context }) => runForwardingMessage(message, context.getRemainingTimeInMillis()),
);
