/**
 * A Lambda container of the export worker for bench/export.ts: bundled with esbuild as the
 * deployment bundles it and run with plain node in a process of its own (so that its peak RSS is
 * the worker's own), it takes one queue message after another from its parent (a JSON line on
 * stdin: {body, remainingMs}) and runs the handler on each, as a warm container does. After each it
 * prints one JSON line, `{bench: ...}` (the worker's own log lines go to stdout too): the handler's
 * time, its CPU time, the process's peak RSS so far, the messages the worker sent to the export
 * queue (the parent delivers them, playing SQS and Lambda's event source mapping), and the DynamoDB
 * capacity consumed so far.
 * Configuration comes from the environment (the stack's function environment).
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { handler } from '#functions/run-export-job/handler';
import { dynamodb } from '#shared/aws/clients';
import { countCapacity } from './dynamodb-capacity';

const capacity = countCapacity(dynamodb);
let sent: string[] = [];
const send = SQSClient.prototype.send;
SQSClient.prototype.send = function (this: SQSClient, command: unknown, ...rest: unknown[]) {
  if (command instanceof SendMessageCommand) sent.push(command.input.MessageBody ?? '');
  if (command instanceof SendMessageBatchCommand)
    for (const entry of command.input.Entries ?? []) sent.push(entry.MessageBody ?? '');
  return (send as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
} as SQSClient['send'];

// Loaded: the parent starts its clock once every container says so (a warm container, as Lambda keeps them).
process.stdout.write(`${JSON.stringify({ bench: { ready: true } })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const { body, remainingMs } = JSON.parse(line) as { body: string; remainingMs: number };
  const deadline = Date.now() + remainingMs;
  const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
  const event = {
    Records: [{ messageId: randomUUID(), body, attributes: {}, messageAttributes: {} }],
  } as unknown as SQSEvent;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await handler(event, context);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const report = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    sent,
    failures: result.batchItemFailures.length,
    ...capacity,
  };
  sent = [];
  process.stdout.write(`${JSON.stringify({ bench: report })}\n`);
}
