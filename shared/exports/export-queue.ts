/**
 * The export queue carries two kinds of message, both "work on this now":
 * - a job message: coordinate the job (plan it and send its lanes off, finish it, end it);
 * - a unit message: copy work unit `unit` of attempt `attempt`, then the next units of its lane.
 * Each names the turn it is meant for (so a stale duplicate is recognised and dropped) and, for a
 * continuation, the invocation that handed over (which lets the successor take the lease at once).
 * Messages never carry credentials, locations or customer data: the worker reads everything from
 * the table.
 */
import * as z from 'zod';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '#shared/aws/clients';
import { config } from '#shared/config';
import { jobId } from '#shared/exports/schemas';
import { projectId } from '#shared/projects/schemas';

const turn = z.number().int().min(0);
const after = z.string().min(1).max(128).optional();

export const jobMessage = z.strictObject({ projectId, jobId, turn, after });
export const unitMessage = z.strictObject({
  projectId,
  jobId,
  attempt: z.number().int().min(1),
  unit: z.number().int().min(0),
  turn,
  after,
});
export const exportMessage = z.union([jobMessage, unitMessage]);

export type JobMessage = z.infer<typeof jobMessage>;
export type UnitMessage = z.infer<typeof unitMessage>;
export type ExportMessage = z.infer<typeof exportMessage>;

export const isUnitMessage = (message: ExportMessage): message is UnitMessage => 'unit' in message;

/** SQS's limit on a message delay. */
const MAX_DELAY_SECONDS = 900;
const BATCH = 10;

const delayOf = (seconds: number) => Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(seconds)));

export async function sendExportMessage(message: ExportMessage, delaySeconds = 0): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: config().EXPORT_QUEUE_URL,
      MessageBody: JSON.stringify(exportMessage.parse(message)),
      DelaySeconds: delayOf(delaySeconds),
    }),
  );
}

export const sendJobMessage = (message: JobMessage, delaySeconds = 0) => sendExportMessage(message, delaySeconds);

/** Sends many messages, ten to a request; throws if any was not accepted (sending them all again is harmless). */
export async function sendExportMessages(messages: ExportMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += BATCH) {
    const entries = messages
      .slice(start, start + BATCH)
      .map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(exportMessage.parse(message)) }));
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: config().EXPORT_QUEUE_URL, Entries: entries }),
    );
    if (Failed.length > 0)
      throw new Error(`SendMessageBatch refused ${Failed.length} export messages (${Failed[0]?.Code ?? 'unknown'})`);
  }
}
