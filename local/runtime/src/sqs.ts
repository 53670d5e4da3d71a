/**
 * In-memory SQS queues for the stack's AWS::SQS::Queue resources, and the Lambda event source
 * mappings of the functions' `sqs` events. It keeps the semantics the service relies on: a
 * received message is invisible for the queue's VisibilityTimeout, a failed batch (or the failed
 * items of a ReportBatchItemFailures answer) comes back after it, DelaySeconds holds new messages,
 * a message received more than the RedrivePolicy's maxReceiveCount moves to the dead-letter queue,
 * and one older than MessageRetentionPeriod is dropped unseen.
 *
 * One local shortcut, for tests only (`retryDelayMs`, LOCAL_SQS_RETRY_MS): a message its consumer
 * failed comes back after that delay instead of the rest of its visibility timeout, so a message
 * that fails every delivery reaches its dead-letter queue in seconds rather than maxReceiveCount
 * visibility timeouts. A message still being worked on stays invisible for the whole timeout.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from '@s3-integrations/aws-endpoint/contract';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { LocalFunctions } from '#runtime/functions';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import type { FunctionSpec } from '#runtime/service-model';

export interface QueuedMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
}

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  retentionSeconds: number;
  redrive?: { deadLetterArn: string; maxReceiveCount: number };
  messages: QueuedMessage[];
}

interface Consumer {
  queue: LocalQueue;
  fn: FunctionSpec;
  batchSize: number;
  reportsItemFailures: boolean;
  maxConcurrency: number;
  inFlight: number;
}

const POLL_INTERVAL_MS = 50;
/** SQS keeps a message four days unless the queue says otherwise. */
const DEFAULT_RETENTION_SECONDS = 345_600;

export class LocalQueues {
  readonly queues: LocalQueue[] = [];
  private readonly consumers: Consumer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly cloudFormation: LocalCloudFormation,
    private readonly functions: LocalFunctions,
    private readonly options: { retryDelayMs?: number } = {},
  ) {
    for (const [logicalId, resource] of cloudFormation.ofType('AWS::SQS::Queue')) {
      const property = (name: string): Yaml | undefined => cloudFormation.property(logicalId, name);
      const redrive = readRedrivePolicy(
        property('RedrivePolicy'),
        `resources.Resources.${logicalId}.Properties.RedrivePolicy`,
      );
      this.queues.push({
        logicalId,
        name: resource.attributes.QueueName ?? logicalId,
        url: resource.ref,
        arn: resource.attributes.Arn ?? '',
        visibilityTimeoutSeconds: Number(property('VisibilityTimeout') ?? 30),
        delaySeconds: Number(property('DelaySeconds') ?? 0),
        retentionSeconds: Number(property('MessageRetentionPeriod') ?? DEFAULT_RETENTION_SECONDS),
        ...(redrive ? { redrive } : {}),
        messages: [],
      });
    }
    for (const queue of this.queues) {
      if (queue.redrive && !this.byArn(queue.redrive.deadLetterArn)) {
        throw new Error(
          `${queue.logicalId}: its dead-letter queue ${queue.redrive.deadLetterArn} is not a queue of this stack.`,
        );
      }
    }
    this.readConsumers();
  }

  /** Starts delivering to the functions with `sqs` events. */
  start(): void {
    this.timer ??= setInterval(() => this.poll(), POLL_INTERVAL_MS);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running]);
  }

  byUrl(queueUrl: string): LocalQueue | undefined {
    // Compare the account and name only: callers may spell the host differently (localhost, 127.0.0.1).
    const path = pathOf(queueUrl);
    return this.queues.find((queue) => pathOf(queue.url) === path);
  }

  byArn(arn: string): LocalQueue | undefined {
    return this.queues.find((queue) => queue.arn === arn);
  }

  send(queue: LocalQueue, bodies: string[]): void {
    const now = Date.now();
    for (const body of bodies) {
      queue.messages.push({
        messageId: randomUUID(),
        body,
        sentAt: now,
        receiveCount: 0,
        visibleAt: now + queue.delaySeconds * 1000,
      });
    }
  }

  /**
   * CreateQueue: a queue of `accountId` that no function consumes (e.g. an EventBridge rule's
   * target a test reads with ReceiveMessage). Creating an existing queue returns it, as in SQS.
   */
  createQueue(endpointUrl: string, accountId: string, name: string): LocalQueue {
    if (!/^[\w-]{1,80}$/.test(name))
      throw new AwsError(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
        400,
      );
    const url = `${endpointUrl}/${accountId}/${name}`;
    const existing = this.byUrl(url);
    if (existing) return existing;
    const arn = `arn:aws:sqs:${this.cloudFormation.service.region}:${accountId}:${name}`;
    const queue: LocalQueue = {
      logicalId: name,
      name,
      url,
      arn,
      visibilityTimeoutSeconds: 30,
      delaySeconds: 0,
      retentionSeconds: DEFAULT_RETENTION_SECONDS,
      messages: [],
    };
    this.queues.push(queue);
    return queue;
  }

  /** ReceiveMessage for a caller: up to `max` visible messages, with receipt handles for DeleteMessage. */
  receiveFor(queueUrl: string, max: number): Array<{ messageId: string; receiptHandle: string; body: string }> {
    const queue = this.byUrl(queueUrl);
    if (!queue)
      throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', 400);
    return this.receive(queue, max).map((message) => ({
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
    }));
  }

  /** DeleteMessage by receipt handle (`<messageId>#<receive count>`): a stale handle deletes nothing, as in SQS. */
  deleteFor(queueUrl: string, receiptHandle: string): void {
    const queue = this.byUrl(queueUrl);
    if (!queue)
      throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', 400);
    const [messageId, count] = receiptHandle.split('#');
    const message = queue.messages.find((candidate) => candidate.messageId === messageId);
    if (message && String(message.receiveCount) === count) this.remove(queue, [message.messageId]);
  }

  /** The `sendMessages` hook of the local endpoint. */
  async sendMessages(queueUrl: string, bodies: string[]): Promise<void> {
    const queue = this.byUrl(queueUrl);
    if (!queue)
      throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', 400);
    this.send(queue, bodies);
  }

  private readConsumers(): void {
    for (const fn of this.cloudFormation.service.functions) {
      fn.events.forEach((event, index) => {
        if (!('sqs' in event)) return;
        const where = `functions.${fn.key}.events[${index}].sqs`;
        const raw = event.sqs ?? null;
        const spec = isMap(raw) ? raw : { arn: raw };
        if (spec.enabled === false) return;
        if (spec.filterPatterns !== undefined) throw new Error(`${where}.filterPatterns is not supported locally.`);
        const arn = String(this.cloudFormation.resolve(spec.arn ?? null, `${where}.arn`));
        const queue = this.byArn(arn);
        if (!queue) throw new Error(`${where}: ${arn} is not a queue of this stack.`);
        // AWS refuses such a mapping: a message would reappear while the function still works on it.
        if (queue.visibilityTimeoutSeconds < fn.timeoutSeconds) {
          throw new Error(
            `${where}: queue ${queue.name} VisibilityTimeout ${queue.visibilityTimeoutSeconds}s is less than the ` +
              `function timeout ${fn.timeoutSeconds}s.`,
          );
        }
        const scaling = isMap(spec.scalingConfig) ? spec.scalingConfig : {};
        this.consumers.push({
          queue,
          fn,
          batchSize: Number(spec.batchSize ?? 10),
          reportsItemFailures: spec.functionResponseType === 'ReportBatchItemFailures',
          // FIFO order holds only if one batch at a time is in flight.
          maxConcurrency: queue.name.endsWith('.fifo')
            ? 1
            : Number(spec.maximumConcurrency ?? scaling.maximumConcurrency ?? 5),
          inFlight: 0,
        });
      });
    }
  }

  private poll(): void {
    for (const consumer of this.consumers) {
      while (consumer.inFlight < consumer.maxConcurrency) {
        const batch = this.receive(consumer.queue, consumer.batchSize);
        if (batch.length === 0) break;
        consumer.inFlight += 1;
        const run = this.process(consumer, batch).finally(() => {
          consumer.inFlight -= 1;
          this.running.delete(run);
        });
        this.running.add(run);
      }
    }
  }

  /** ReceiveMessage: takes visible messages, hiding each for the visibility timeout. */
  private receive(queue: LocalQueue, max: number): QueuedMessage[] {
    const now = Date.now();
    const batch: QueuedMessage[] = [];
    for (const message of [...queue.messages]) {
      if (batch.length >= max) break;
      if (now - message.sentAt > queue.retentionSeconds * 1000) {
        this.remove(queue, [message.messageId]);
        continue;
      }
      if (message.visibleAt > now) continue;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + queue.visibilityTimeoutSeconds * 1000;
      batch.push(message);
    }
    return batch;
  }

  private moveToDeadLetterQueue(queue: LocalQueue, message: QueuedMessage): void {
    const deadLetterQueue = queue.redrive ? this.byArn(queue.redrive.deadLetterArn) : undefined;
    if (!deadLetterQueue) return;
    this.remove(queue, [message.messageId]);
    deadLetterQueue.messages.push({ ...message, receiveCount: 0, visibleAt: Date.now() });
    console.error(
      `[local] message ${message.messageId} moved from ${queue.name} to ${deadLetterQueue.name} after ` +
        `${message.receiveCount} receives`,
    );
  }

  private async process(consumer: Consumer, batch: QueuedMessage[]): Promise<void> {
    const { queue, fn } = consumer;
    const { region, accountId } = this.cloudFormation.service;
    const event = {
      Records: batch.map((message) => ({
        messageId: message.messageId,
        receiptHandle: `${message.messageId}#${message.receiveCount}`,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: accountId,
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(message.body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: region,
      })),
    };
    let result: unknown;
    try {
      result = await this.functions.invoke(fn, event, { trigger: `sqs ${queue.name}` });
    } catch {
      return this.retrySooner(batch); // the whole batch comes back after the visibility timeout
    }
    const ids = batch.map((message) => message.messageId);
    const failed = consumer.reportsItemFailures ? failedItems(result, ids) : [];
    this.remove(
      queue,
      ids.filter((id) => !failed.includes(id)),
    );
    this.retrySooner(batch.filter((message) => failed.includes(message.messageId)));
  }

  /** With `retryDelayMs` (tests): failed messages come back after it, never later than their visibility timeout. */
  private retrySooner(failed: QueuedMessage[]): void {
    const delay = this.options.retryDelayMs;
    if (delay === undefined) return;
    for (const message of failed) message.visibleAt = Math.min(message.visibleAt, Date.now() + delay);
  }

  private remove(queue: LocalQueue, messageIds: string[]): void {
    queue.messages = queue.messages.filter((message) => !messageIds.includes(message.messageId));
  }
}

/** Lambda's rules: an unknown or empty itemIdentifier fails the whole batch. */
function failedItems(result: unknown, batchIds: string[]): string[] {
  const failures = isMap(result as Yaml) ? (result as { batchItemFailures?: unknown }).batchItemFailures : undefined;
  if (!Array.isArray(failures)) return [];
  const ids = failures.map((failure: unknown) =>
    isMap(failure as Yaml) ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined,
  );
  if (ids.some((id) => typeof id !== 'string' || !batchIds.includes(id))) return batchIds;
  return ids as string[];
}

function readRedrivePolicy(raw: Yaml | undefined, where: string): LocalQueue['redrive'] {
  if (raw === undefined || raw === null) return undefined;
  const policy = typeof raw === 'string' ? (JSON.parse(raw) as Yaml) : raw;
  if (!isMap(policy) || typeof policy.deadLetterTargetArn !== 'string')
    throw new Error(`${where} needs deadLetterTargetArn.`);
  return { deadLetterArn: policy.deadLetterTargetArn, maxReceiveCount: Number(policy.maxReceiveCount ?? 10) };
}

function pathOf(queueUrl: string): string {
  try {
    return new URL(queueUrl).pathname.replace(/\/$/, '');
  } catch {
    return queueUrl;
  }
}
