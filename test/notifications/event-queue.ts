/**
 * A platform's subscription to the service's events, as docs/notifications.md shows it: a rule on
 * the service's bus (PutRule, PutTargets) that sends every `s3-integrations` event to an SQS queue,
 * which the tests read. One per test file, removed after it.
 */
import {
  DeleteRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { NOTIFICATION_SOURCE, type DetailType } from '#shared/notifications/notifications';
import { localStack, rootCredentials } from '../support/local-stack';
import { eventually, PLATFORM_ACCOUNT, PLATFORM_EVENT_BUS, platformEvents } from '../support/platform';

export interface Delivered {
  source: string;
  'detail-type': DetailType;
  account: string;
  detail: Record<string, unknown>;
}

export interface EventQueue {
  /** Every event read so far, with the message body as it arrived. */
  received: Array<{ event: Delivered; body: string }>;
  /** Reads the queue until `count` events `matching` have arrived (every event is kept: other tests' too). */
  eventsWhere(matching: (event: Delivered) => boolean, count?: number): Promise<Delivered[]>;
}

/** Subscribes for the file's tests (beforeAll) and unsubscribes after them (afterAll). */
export function subscribeToServiceEvents(): EventQueue {
  const suffix = randomBytes(4).toString('hex');
  const queueName = `test-notifications-${suffix}`;
  const ruleName = `test-notifications-${suffix}`;
  const sqs = new SQSClient({
    endpoint: localStack().awsUrl,
    region: 'us-east-1',
    credentials: rootCredentials(PLATFORM_ACCOUNT),
  });
  let queueUrl = '';
  const received: EventQueue['received'] = [];

  beforeAll(async () => {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl ?? '';
    await platformEvents().send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: PLATFORM_EVENT_BUS,
        EventPattern: JSON.stringify({ source: [NOTIFICATION_SOURCE] }),
      }),
    );
    await platformEvents().send(
      new PutTargetsCommand({
        Rule: ruleName,
        EventBusName: PLATFORM_EVENT_BUS,
        Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:us-east-1:${PLATFORM_ACCOUNT}:${queueName}` }],
      }),
    );
  });

  afterAll(async () => {
    await platformEvents().send(
      new RemoveTargetsCommand({ Rule: ruleName, EventBusName: PLATFORM_EVENT_BUS, Ids: ['queue'] }),
    );
    await platformEvents().send(new DeleteRuleCommand({ Name: ruleName, EventBusName: PLATFORM_EVENT_BUS }));
  });

  const eventsWhere: EventQueue['eventsWhere'] = (matching, count = 1) =>
    eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        for (const message of Messages) {
          received.push({ event: JSON.parse(message.Body ?? '{}') as Delivered, body: message.Body ?? '' });
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
        const found = received.map(({ event }) => event).filter(matching);
        return found.length >= count ? found : undefined;
      },
      'the expected events did not arrive',
      30_000,
    );

  return { received, eventsWhere };
}

/** Events of one detail type whose detail has these values. */
export const about = (detailType: DetailType, detail: Record<string, unknown>) => (event: Delivered) =>
  event['detail-type'] === detailType && Object.entries(detail).every(([key, value]) => event.detail[key] === value);
