/**
 * SQS SendMessage and SendMessageBatch over the JSON 1.0 protocol the current AWS SDK uses
 * (`X-Amz-Target: AmazonSQS.<Operation>`). The queue is named by its URL,
 * `<endpoint>/<account>/<queue name>`; the caller needs `sqs:SendMessage` on
 * `arn:aws:sqs:<region>:<account>:<queue name>`. Messages go to `hooks.sendMessages`.
 * The answer carries MD5OfMessageBody, which the SDK verifies. Message attributes and delays
 * are accepted but not modelled.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsError, type Authorize, type ServiceHandler } from '#endpoint/contract';
import { jsonOperation, parseJsonBody, requiredString, sendJsonResult } from '#endpoint/protocols';

const MAX_BATCH = 10;
const MAX_MESSAGE_BYTES = 256 * 1024;

export function createSqsService(deps: {
  authorize: Authorize;
  hooks: { sendMessages(queueUrl: string, bodies: string[]): Promise<void> };
}): ServiceHandler {
  return async (request, response) => {
    const operation = jsonOperation(request.raw.headers['x-amz-target'], 'AmazonSQS');
    if (operation !== 'SendMessage' && operation !== 'SendMessageBatch') {
      throw new AwsError('UnsupportedOperation', `${operation} is not supported by the local endpoint.`, 400);
    }
    const input = parseJsonBody(await request.readBody());
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
