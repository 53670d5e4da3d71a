/**
 * Running the export handlers in the test process (or a child process) instead of the stack, for
 * the tests that must control an invocation: its time budget, when it dies, which message it gets.
 *
 * Such tests point EXPORT_QUEUE_URL at a parking queue they create (CreateQueue), which no function
 * consumes, so the messages the real handlers send are parked there by the real SQS endpoint while
 * the test (acting as Lambda's event source mapping) hands each one to the next invocation itself.
 * (Not the export dead-letter queue: its consumer would end the jobs of the messages parked there.)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { expect, vi } from 'vitest';
import { handler as startBackupExport } from '#functions/start-backup-export/handler';
import { exportMessage, type ExportMessage } from '#shared/exports/export-queue';
import { actAsFunctions } from '../../support/function-roles';
import { localStack, rootCredentials } from '../../support/local-stack';
import { eventually, PLATFORM_ACCOUNT, type ExportWorld, type PlatformBackup } from './export-stack';
import { apiEvent, lambdaContext, REGION } from './lambda-events';

export { apiEvent, lambdaContext, sqsEvent } from './lambda-events';

/** The queue the stack's worker consumes (from the stack's function environment). */
export const stackExportQueueUrl = () => {
  const url = process.env.EXPORT_QUEUE_URL;
  if (!url?.endsWith('/ExportQueue')) throw new Error('EXPORT_QUEUE_URL is not the stack export queue');
  return url;
};

/** The queue the handlers of such tests send to; created by the first test file that parks. */
export const PARKING_QUEUE = 'ExportParkingQueue';

/**
 * Makes the handlers of this test process send to the parking queue (created if missing), and
 * records what they send. Call before anything reads the configuration (it is read once per process).
 */
export async function parkExportMessages(): Promise<{ stackQueueUrl: string; parkingQueue: string; sent: string[] }> {
  const stackQueueUrl = stackExportQueueUrl();
  const parkingQueue = PARKING_QUEUE;
  const sqs = new SQSClient({
    endpoint: localStack().awsUrl,
    region: REGION,
    credentials: rootCredentials(PLATFORM_ACCOUNT),
  });
  // Creating an existing queue returns it (SQS's rule): parallel test files share one.
  await sqs.send(new CreateQueueCommand({ QueueName: parkingQueue }));
  process.env.EXPORT_QUEUE_URL = stackQueueUrl.replace(/\/ExportQueue$/, `/${parkingQueue}`);
  const sent: string[] = [];
  const send = SQSClient.prototype.send;
  vi.spyOn(SQSClient.prototype, 'send').mockImplementation(function (
    this: SQSClient,
    command: unknown,
    ...rest: unknown[]
  ) {
    if (command instanceof SendMessageCommand && command.input.QueueUrl === process.env.EXPORT_QUEUE_URL) {
      sent.push(command.input.MessageBody ?? '');
    }
    if (command instanceof SendMessageBatchCommand && command.input.QueueUrl === process.env.EXPORT_QUEUE_URL) {
      for (const entry of command.input.Entries ?? []) sent.push(entry.MessageBody ?? '');
    }
    return (send as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  } as SQSClient['send']);
  return { stackQueueUrl, parkingQueue, sent };
}

/**
 * For a test file that runs export handlers itself: their messages are parked (parkExportMessages),
 * and this process runs as the functions' roles, as the stack runs them (root may not AssumeRole),
 * which may also send to the queue the messages are parked in. Call at the top of the file.
 */
export async function runExportHandlersHere(functionKeys: string[] = ['runExportJob', 'startBackupExport']) {
  const parked = await parkExportMessages();
  await actAsFunctions(functionKeys, [
    {
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:${REGION}:111111111111:${parked.parkingQueue}`,
    },
  ]);
  return parked;
}

export const parseExportMessage = (body: string): ExportMessage => exportMessage.parse(JSON.parse(body));

/** The messages of one job among those sent from index `from` on, parsed. */
export const messagesOfJob = (sent: string[], jobId: string, from: number) =>
  sent
    .slice(from)
    .map(parseExportMessage)
    .filter((message) => message.jobId === jobId);

export const isOver = (status: string) => status === 'SUCCEEDED' || status === 'FAILED';

/** Delivers a message to the stack's worker, as SQS redelivers one after a crashed invocation. */
export async function redeliverToStack(queueUrl: string, body: string): Promise<void> {
  const sqs = new SQSClient({ region: REGION });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/** POST .../export through the real handler in this process (its message is parked, not run by the stack). */
export async function startInProcess(world: ExportWorld, backup: PlatformBackup, directory: string): Promise<string> {
  const path = `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backups/${backup.backupId}/export`;
  const answer = await eventually(async () => {
    const result = (await startBackupExport(
      apiEvent({
        method: 'POST',
        path,
        pathParameters: { projectId: world.project.projectId, clusterId: world.clusterId, backupId: backup.backupId },
        token: world.ownerToken,
        body: { integrationId: world.integration.integrationId, directory },
      }),
      lambdaContext(29_000),
    )) as APIGatewayProxyStructuredResultV2;
    // 404 until the service has recorded the backup's event.
    return result.statusCode === 404 ? undefined : result;
  }, 'the backup event was not recorded');
  expect(answer.statusCode, String(answer.body)).toBe(202);
  return (JSON.parse(String(answer.body)) as { jobId: string }).jobId;
}

/** One invocation of the worker in a child process, which the test can kill like a crashed sandbox. */
export function workerProcess(message: string, remainingMs: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./worker-process.ts', import.meta.url)), message, String(remainingMs)],
    {
      env: process.env,
      stdio: 'ignore',
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return { kill: () => child.kill('SIGKILL'), exited };
}
