/**
 * SQS over the JSON 1.0 protocol the current AWS SDK uses (`X-Amz-Target: AmazonSQS.<Operation>`):
 * SendMessage and SendMessageBatch (to `hooks.sendMessages`), and CreateQueue, ReceiveMessage and
 * DeleteMessage (`hooks.queues`), with which a test plays a consumer of its own queue, e.g. the
 * target of an EventBridge rule on the service's bus. The queue is named by its URL,
 * `<endpoint>/<account>/<queue name>`; the caller needs `sqs:<Action>` on
 * `arn:aws:sqs:<region>:<account>:<queue name>` (CreateQueue: in its own account). Answers carry
 * MD5OfMessageBody / MD5OfBody, which the SDK verifies. Message attributes, delays, queue
 * attributes and long polling (WaitTimeSeconds) are accepted but not modelled.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsError, type Authorize, type QueueHooks, type ServiceHandler } from '#endpoint/contract';
import { jsonOperation, parseJsonBody, requiredString, sendJsonResult } from '#endpoint/protocols';

const MAX_BATCH = 10;
const MAX_MESSAGE_BYTES = 256 * 1024;

const MAX_RECEIVE = 10;

export function createSqsService(deps: {
  authorize: Authorize;
  hooks: { sendMessages(queueUrl: string, bodies: string[]): Promise<void>; queues: QueueHooks };
}): ServiceHandler {
  return async (request, response) => {
    const operation = jsonOperation(request.raw.headers['x-amz-target'], 'AmazonSQS');
    const input = parseJsonBody(await request.readBody());
    if (operation === 'CreateQueue') {
      const name = requiredString(input, 'QueueName');
      deps.authorize(request.caller, {
        action: 'sqs:CreateQueue',
        resource: `arn:aws:sqs:${request.region}:${request.caller.accountId}:${name}`,
      });
      const { url } = deps.hooks.queues.createQueue(
        `http://${request.raw.headers.host ?? '127.0.0.1'}`,
        request.caller.accountId,
        name,
      );
      return sendJsonResult(response, 'json-1.0', { QueueUrl: url });
    }
    if (operation === 'ReceiveMessage' || operation === 'DeleteMessage') {
      const queueUrl = requiredString(input, 'QueueUrl');
      deps.authorize(request.caller, { action: `sqs:${operation}`, resource: queueArn(queueUrl, request.region) });
      if (operation === 'DeleteMessage') {
        deps.hooks.queues.delete(queueUrl, requiredString(input, 'ReceiptHandle'));
        return sendJsonResult(response, 'json-1.0', {});
      }
      const max = Number(input.MaxNumberOfMessages ?? 1);
      if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE) {
        throw new AwsError(
          'InvalidParameterValue',
          `Value ${String(input.MaxNumberOfMessages)} for parameter MaxNumberOfMessages is invalid. Reason: Must ` +
            `be between 1 and ${MAX_RECEIVE}, if provided.`,
          400,
        );
      }
      const messages = deps.hooks.queues.receive(queueUrl, max);
      return sendJsonResult(response, 'json-1.0', {
        Messages: messages.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          Body: message.body,
          MD5OfBody: md5(message.body),
        })),
      });
    }
    if (operation !== 'SendMessage' && operation !== 'SendMessageBatch') {
      throw new AwsError('UnsupportedOperation', `${operation} is not supported by the local endpoint.`, 400);
    }
    const queueUrl = requiredString(input, 'QueueUrl');
    deps.authorize(request.caller, { action: 'sqs:SendMessage', resource: queueArn(queueUrl, request.region) });

    if (operation === 'SendMessage') {
      const body = messageBody(input.MessageBody);
      await deps.hooks.sendMessages(queueUrl, [body]);
      sendJsonResult(response, 'json-1.0', { MessageId: randomUUID(), MD5OfMessageBody: md5(body) });
      return;
    }
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0)
      throw new AwsError(
        'EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.',
        400,
      );
    if (entries.length > MAX_BATCH)
      throw new AwsError(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH}.`,
        400,
      );
    const batch = (entries as Array<Record<string, unknown>>).map((entry) => ({
      id: requiredString(entry ?? {}, 'Id'),
      body: messageBody(entry?.MessageBody),
    }));
    if (new Set(batch.map((entry) => entry.id)).size !== batch.length)
      throw new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.', 400);
    await deps.hooks.sendMessages(
      queueUrl,
      batch.map((entry) => entry.body),
    );
    sendJsonResult(response, 'json-1.0', {
      Successful: batch.map((entry) => ({ Id: entry.id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.body) })),
      Failed: [],
    });
  };
}

/** `http://host/<account>/<name>` -> `arn:aws:sqs:<region>:<account>:<name>`. */
function queueArn(queueUrl: string, region: string): string {
  let path: string[];
  try {
    path = new URL(queueUrl).pathname.split('/').filter(Boolean);
  } catch {
    path = [];
  }
  const [account, name] = path;
  if (path.length !== 2 || !account || !name || !/^\d{12}$/.test(account)) {
    throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', 400);
  }
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

function messageBody(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.', 400);
  if (Buffer.byteLength(value) > MAX_MESSAGE_BYTES)
    throw new AwsError(
      'InvalidParameterValue',
      'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      400,
    );
  return value;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
