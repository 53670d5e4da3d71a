/**
 * The forwarding worker: each queue message is one cluster's run, and the messages of a batch run
 * side by side. A cluster whose bucket fails is recorded in its health and retried by the next tick,
 * so its message still succeeds; only an error of our own (a bad message, DynamoDB down) fails the
 * message, which SQS redelivers and finally dead-letters, without failing the others in the batch.
 */
import { forwardClusterAuditLogs, forwardingRunMessage } from '#shared/forwarding/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

const RUN_MS = 45_000;
/** Time kept after the last file for recording the outcome. */
const FINISH_RESERVE_MS = 10_000;
const MAX_FILES_PER_RUN = 10_000;
/** Longer than the function's timeout (60 s in serverless.yml), so an expired lease means a dead run. */
const LEASE_MS = 90_000;

export const handler = sqsHandler(
  {
    message: forwardingRunMessage,
    work: 'forwarding run',
    logKeys: ({ projectId, clusterId }) => ({ projectId, clusterId }),
    inParallel: true,
  },
  async ({ projectId, clusterId }, { context }) => {
    const started = Date.now();
    const hardDeadline = started + context.getRemainingTimeInMillis() - FINISH_RESERVE_MS;
    await forwardClusterAuditLogs(
      { projectId, clusterId },
      {
        budget: { deadline: Math.min(started + RUN_MS, hardDeadline), hardDeadline, maxFiles: MAX_FILES_PER_RUN },
        leaseMs: LEASE_MS,
      },
    );
  },
);
