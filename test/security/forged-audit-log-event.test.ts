/**
 * Attacker: a forged S3 notification of the platform's audit-log bucket. Such an event makes the
 * service read a key and write it into a tenant's bucket, so whoever could send one might try to
 * push a file of their choosing into a victim's audit logs, or have a victim's files read from
 * elsewhere. Only S3 can put `aws.s3` events (EventBridge refuses the source to everyone else),
 * only the service's rule may send to the event queue (its queue policy), and the function itself
 * reads nothing but the platform's audit-log bucket, in the platform's key layout.
 */
import { randomBytes } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as deliverAuditLogs } from '#functions/deliver-audit-logs/handler';
import { sourceKey } from '#shared/forwarding/audit-log-keys';
import { clientsFor, localStack, rootCredentials, uniqueAccountId } from '../support/local-stack';
import { PLATFORM_ACCOUNT, PLATFORM_EVENT_BUS_ARN, platformEvents } from '../support/platform';
import {
  auditLogEventBatch,
  customerObjects,
  lambdaContext,
  objectCreatedEvent,
  waitForObjects,
  writeAuditLog,
} from '../forwarding/support';
import { actAsFunctions } from '../support/function-roles';
import { fullTenant, REGION, type Tenant } from './support/tenants';

await actAsFunctions(['deliverAuditLogs']);

let victim: Tenant;
beforeAll(async () => {
  victim = await fullTenant();
});

const folder = () => `audit/${victim.clusterId}/`;
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));

describe('a forged S3 notification of the audit-log bucket', () => {
  it(
    'put on EventBridge by a customer account (its own bus or the service bus) or the platform account: the aws.s3 ' +
      'source is refused',
    async () => {
      const key = sourceKey(victim.clusterId, new Date(), 'forged');
      const entry = (bus: string) => ({
        Source: 'aws.s3',
        DetailType: 'Object Created',
        Detail: JSON.stringify(objectCreatedEvent(key).detail),
        EventBusName: bus,
      });
      for (const [account, bus] of [
        [uniqueAccountId(), 'default'],
        [PLATFORM_ACCOUNT, 'default'],
        [PLATFORM_ACCOUNT, PLATFORM_EVENT_BUS_ARN],
      ] as const) {
        const answer = await platformEvents(account).send(new PutEventsCommand({ Entries: [entry(bus)] }));
        expect(answer.FailedEntryCount, `${account} on ${bus}`).toBe(1);
        expect(answer.Entries?.[0]?.ErrorCode).toBe('NotAuthorizedForSourceException');
      }
      await settle();
      expect(await customerObjects(victim.accountId, victim.integration.bucketName, folder())).toEqual([]);
    },
  );

  it(
    'sent straight to the event queue by a customer account, or by a function of the service that takes events: ' +
      'AccessDenied',
    async () => {
      const queueUrl = String(process.env.FORWARDING_QUEUE_URL).replace(/\/ForwardingQueue$/, '/AuditLogEventQueue');
      expect(queueUrl).toMatch(/\/AuditLogEventQueue$/);
      const body = JSON.stringify(objectCreatedEvent(sourceKey(victim.clusterId, new Date(), 'forged')));
      // A customer: only the rule's EventBridge may send (the queue policy); the function: its role may send to
      // ForwardingQueue alone.
      const customer = new SQSClient({
        endpoint: localStack().awsUrl,
        region: REGION,
        credentials: rootCredentials(uniqueAccountId()),
      });
      const functionRole = new SQSClient({ endpoint: localStack().awsUrl, region: REGION });
      for (const sqs of [customer, functionRole]) {
        await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))).rejects.toMatchObject(
          {
            name: expect.stringMatching(/AccessDenied/),
          },
        );
      }
      await settle();
      expect(await customerObjects(victim.accountId, victim.integration.bucketName, folder())).toEqual([]);
    },
  );

  it(
    'that reaches the function anyway (a misconfigured rule) naming a file in a bucket of the attacker, or keys ' +
      'off the layout: nothing is read or delivered',
    async () => {
      const attacker = uniqueAccountId();
      const bucket = `forged-${randomBytes(5).toString('hex')}`;
      const { s3 } = clientsFor(attacker, REGION);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const key = sourceKey(victim.clusterId, new Date(), 'planted');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"planted":true}\n' }));

      const outcome = await deliverAuditLogs(
        auditLogEventBatch([
          objectCreatedEvent(key, { bucket }), // another bucket
          objectCreatedEvent(key, { account: attacker }), // another account
          // off the layout
          objectCreatedEvent(`${victim.clusterId}/../${victim.clusterId}/${key.slice(victim.clusterId.length + 1)}`),
          // folders that disagree with the time
          objectCreatedEvent(`${victim.clusterId}/2026/11/24/10/20261124T111502Z-hour-mismatch.jsonl`),
        ]),
        lambdaContext(),
      );
      expect(outcome).toEqual({ batchItemFailures: [] });
      expect(await customerObjects(victim.accountId, victim.integration.bucketName, folder())).toEqual([]);

      // The same function still delivers the victim's real files (the refusals above are not blanket).
      await writeAuditLog(victim.clusterId, new Date());
      await waitForObjects(victim.accountId, victim.integration.bucketName, folder(), 1);
    },
  );
});
