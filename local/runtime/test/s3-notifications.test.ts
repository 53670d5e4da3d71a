/**
 * S3 event notifications end to end, wired as local/runtime/src/stack.ts wires them: the endpoint's
 * S3 sends to the runtime's bus (where a rule of serverless.yml invokes a function) and queues,
 * configured from the AWS::S3::Bucket resources of the fixture's serverless.yml.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { EventBridgeEvent, S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';
import { startAwsEndpoint, type AwsEndpoint } from '@s3-integrations/aws-endpoint/server';
import { AsyncInvoker } from '#runtime/async-invoker';
import { configureBuckets } from '#runtime/bucket-configuration';
import { LocalCloudFormation } from '#runtime/cloudformation';
import { LocalEventBridge } from '#runtime/eventbridge';
import { s3NotificationTargets } from '#runtime/s3-notification-targets';
import { loadService } from '#runtime/service-model';
import { LocalQueues } from '#runtime/sqs';
import { callsOf, fixtureCalls } from './fixtures/runtime/functions/calls';
import { FIXTURE_ENDPOINT, eventually, loadFixtureRuntime, type FixtureRuntime } from './support/fixture-runtime';
import { recordingHooks } from '@s3-integrations/aws-endpoint/testing';

const BUCKET = 'runtime-fixture-test-uploads';
/** custom.platformBuckets.Shared of the fixture: not a resource of the stack, configured all the same. */
const PLATFORM_BUCKET = 'fixture-shared-logs';
const dataDir = mkdtempSync(join(tmpdir(), 'runtime-s3-notify-'));
let runtime: FixtureRuntime;
let queues: LocalQueues;
let endpoint: AwsEndpoint;
let s3: S3Client;

function platformS3(url: string): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: `LOCAL${PLATFORM_ACCOUNT_ID}`, secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

const uploadsQueue = () => queues.queues.find((queue) => queue.logicalId === 'UploadsQueue');
const queuedBodies = () =>
  (uploadsQueue()?.messages ?? []).map((message) => JSON.parse(message.body) as Partial<S3Event> & { Event?: string });

beforeAll(async () => {
  runtime = await loadFixtureRuntime();
  const invoker = new AsyncInvoker(runtime.functions, { retryDelayMs: 10 });
  queues = new LocalQueues(runtime.cloudFormation, runtime.functions);
  const bus = new LocalEventBridge(runtime.cloudFormation, runtime.functions, invoker, {
    sendToQueue: () => Promise.reject(new Error('no queue targets in the fixture')),
    startExecution: () => Promise.reject(new Error('no state machine targets in the fixture')),
  });
  const hooks = { ...recordingHooks(), notifications: s3NotificationTargets(runtime.cloudFormation, bus, queues) };
  endpoint = await startAwsEndpoint({ port: 0, dataDir, hooks });
  s3 = platformS3(endpoint.url);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: PLATFORM_BUCKET }));
  await configureBuckets(runtime.cloudFormation, endpoint.url);
});
afterAll(async () => {
  s3.destroy();
  await endpoint.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  fixtureCalls().length = 0;
});

describe('S3 event notifications through the local runtime', () => {
  it('applies the bucket resource: versioning on, and S3 test message in the configured queue', async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe('Enabled');
    expect(queuedBodies()).toEqual([
      expect.objectContaining({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }),
    ]);
    uploadsQueue()?.messages.splice(0);
  });

  it('configures the platform buckets serverless.yml declares (custom.platformBuckets) like its own', async () => {
    const configuration = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: PLATFORM_BUCKET }));
    expect(configuration.EventBridgeConfiguration).toEqual({});
    expect(configuration.QueueConfigurations ?? []).toEqual([]);
  });

  it(
    'invokes the function whose EventBridge rule matches the "Object Created" event, and queues the Records ' +
      'message',
    async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/2030/a.log', Body: 'line\n' }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/b.txt', Body: 'x' }));
      const [call] = await eventually(() => callsOf('recorder').length === 1 && callsOf('recorder'));
      const event = call?.event as EventBridgeEvent<
        'Object Created',
        { object: { key: string; 'version-id': string } }
      >;
      expect(event).toMatchObject({
        source: 'aws.s3',
        account: PLATFORM_ACCOUNT_ID,
        resources: [`arn:aws:s3:::${BUCKET}`],
      });
      expect(event.detail.object).toMatchObject({ key: 'incoming/2030/a.log', 'version-id': put.VersionId });
      const [message] = await eventually(() => queuedBodies().length === 1 && queuedBodies());
      expect(message?.Records?.[0]).toMatchObject({
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: BUCKET }, object: { key: 'incoming/2030/a.log' } },
      });
      // The other object matched neither the rule's key prefix nor the queue's suffix.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(callsOf('recorder')).toHaveLength(1);
      expect(queuedBodies()).toHaveLength(1);
    },
  );
});

describe('queue policies for S3', () => {
  function serviceWith(policy: string): LocalCloudFormation {
    const dir = mkdtempSync(join(tmpdir(), 'queue-policy-'));
    writeFileSync(
      join(dir, 'serverless.yml'),
      `service: policies
provider: { name: aws, stage: test }
resources:
  Resources:
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: policies-bucket
        NotificationConfiguration:
          QueueConfigurations:
            - { Event: 's3:ObjectCreated:*', Queue: !GetAtt Queue.Arn }
    Queue:
      Type: AWS::SQS::Queue
${policy}`,
    );
    return new LocalCloudFormation(loadService(join(dir, 'serverless.yml')), FIXTURE_ENDPOINT);
  }
  const policyOf = (statements: string) => `    QueuePolicy:
      Type: AWS::SQS::QueuePolicy
      Properties:
        Queues: [!Ref Queue]
        PolicyDocument:
          Statement:
${statements}`;
  const allowS3 =
    `            - { Effect: Allow, Principal: { Service: s3.amazonaws.com }, Action: 'SQS:*', ` + `Resource: '*' }`;

  const check = (cloudFormation: LocalCloudFormation, bucket = 'policies-bucket') => {
    const targets = s3NotificationTargets(
      cloudFormation,
      {} as LocalEventBridge,
      new LocalQueues(cloudFormation, runtime.functions),
    );
    return targets.checkQueue(`arn:aws:sqs:us-east-1:${PLATFORM_ACCOUNT_ID}:Queue`, {
      bucketArn: `arn:aws:s3:::${bucket}`,
      bucketOwner: PLATFORM_ACCOUNT_ID,
    });
  };

  it(
    'lets S3 send only when a queue policy allows s3.amazonaws.com, under its conditions, and no statement denies ' +
      'it',
    () => {
      const denied = 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket';
      expect(check(serviceWith(''))).toBe(denied);
      expect(check(serviceWith(policyOf(allowS3)))).toBeUndefined();
      const conditioned = `            - Effect: Allow
              Principal: { Service: s3.amazonaws.com }
              Action: sqs:SendMessage
              Resource: '*'
              Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::policies-*' } }`;
      expect(check(serviceWith(policyOf(conditioned)))).toBeUndefined();
      expect(check(serviceWith(policyOf(conditioned)), 'other-bucket')).toBe(denied);
      const denyToo =
        `${allowS3}\n            - { Effect: Deny, Principal: '*', Action: 'sqs:SendMessage', ` + `Resource: '*' }`;
      expect(check(serviceWith(policyOf(denyToo)))).toBe(denied);
      const otherService =
        `            - { Effect: Allow, Principal: { Service: sns.amazonaws.com }, Action: ` +
        `'sqs:SendMessage', Resource: '*' }`;
      expect(check(serviceWith(policyOf(otherService)))).toBe(denied);
    },
  );

  it('stops the start with the resource named when the local S3 refuses a bucket configuration', async () => {
    const cloudFormation = serviceWith('');
    const client = platformS3(endpoint.url);
    await client.send(new CreateBucketCommand({ Bucket: 'policies-bucket' }));
    client.destroy();
    // This endpoint's runtime is the fixture's, which has no such queue: S3 says so, by ARN.
    await expect(configureBuckets(cloudFormation, endpoint.url)).rejects.toThrow(
      new RegExp(
        'resources\\.Resources\\.Bucket\\.Properties\\.NotificationConfiguration: ' +
          'Unable to validate the following destination configurations ' +
          '\\(arn:aws:sqs:us-east-1:111111111111:Queue: The destination queue does not exist\\)',
      ),
    );
  });
});
