import * as z from 'zod';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '#shared/aws/clients';
import { config } from '#shared/config';
import { jobId } from '#shared/exports/schemas';
import { projectId } from '#shared/projects/schemas';

/**
 * The export queue carries one kind of message: "work on this job now". It names the job and the
 * turn it is meant for (so a stale duplicate is recognised and dropped) and, for a continuation,
 * the invocation that handed over (which lets the successor take the lease at once). It never
 * carries credentials, locations or customer data: the worker reads everything from the table.
 */
export const jobMessage = z.strictObject({
  projectId,
  jobId,
  turn: z.number().int().min(0),
  after: z.string().min(1).max(128).optional(),
});

export type JobMessage = z.infer<typeof jobMessage>;

/** SQS's limit on a message delay. */
const MAX_DELAY_SECONDS = 900;

export async function sendJobMessage(message: JobMessage, delaySeconds = 0): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: config().EXPORT_QUEUE_URL,
      MessageBody: JSON.stringify(jobMessage.parse(message)),
      DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds))),
    }),
  );
}
