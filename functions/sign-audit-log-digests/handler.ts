/**
 * The digest writer of audit-log forwarding (DigestQueue, one message per cluster and hour from the
 * scheduler): writes each due hourly digest, signed with the platform's KMS key. The only function
 * allowed kms:Sign on that key. A customer-side failure is recorded in the cluster's health and the
 * hours stay due for the next hour's run; only an error of ours fails the message.
 */
import { digestRunMessage, runDigestMessage } from '#shared/forwarding/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

export const handler = sqsHandler(
  {
    message: digestRunMessage,
    work: 'digest run',
    logKeys: ({ projectId, clusterId }) => ({ projectId, clusterId }),
    inParallel: true,
  },
  (message) => runDigestMessage(message),
);
