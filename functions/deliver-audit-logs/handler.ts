/**
 * The event path of audit-log forwarding: S3 "Object Created" events of the platform's audit-log
 * bucket (EventBridge rule -> AuditLogEventQueue), a batch at a time, its files delivered per
 * cluster, side by side (shared/forwarding/delivery/event-batches.ts). A message fails (SQS
 * delivers it again, and after 5 receives moves it to the dead-letter queue) only when it cannot be
 * read or its cluster's delivery hit an error of ours (DynamoDB down): a customer-side failure
 * leaves the file pending (delivery/pending-files.ts), and the message succeeds.
 */
import { auditLogEvent, deliverAnnouncedFile } from '#shared/forwarding/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

export const handler = sqsHandler(
  { message: auditLogEvent, work: 'audit-log event', logKeys: (event) => ({ eventId: event.id }), inParallel: true },
  (event) => deliverAnnouncedFile(event),
);
