/**
 * S3 event notifications: PutBucketNotificationConfiguration checked as S3 checks it, and the events of
 * object writes and deletes delivered to EventBridge and queues, at least once and across a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '#endpoint/server';
import {
  CUSTOMER,
  eventually,
  failure,
  recordingHooks,
  startFixture,
  type Fixture,
  type RecordedHooks,
} from './endpoint-fixture';
import { createBucket, rootS3, uniqueBucket } from './s3-helpers';

/**
 * S3 event notifications at the endpoint, with recording targets in place of the runtime
 * (local/runtime/test/s3-notifications.test.ts runs them through the real bus and queues).
 */
const QUEUE = `arn:aws:sqs:us-east-1:${CUSTOMER}:uploads`;
const OTHER_QUEUE = `arn:aws:sqs:us-east-1:${CUSTOMER}:others`;

let fixture: Fixture;
let s3: S3Client;
beforeAll(async () => {
  fixture = await startFixture();
  s3 = rootS3(fixture, CUSTOMER);
  fixture.hooks.notifications.queues.set(QUEUE, undefined);
  fixture.hooks.notifications.queues.set(OTHER_QUEUE, undefined);
});
afterAll(async () => {
  await fixture.stop();
});
beforeEach(() => {
  fixture.hooks.notifications.serviceEvents.length = 0;
  fixture.hooks.notifications.queueMessages.length = 0;
});

const configure = (
  Bucket: string,
  NotificationConfiguration: NotificationConfiguration,
  SkipDestinationValidation?: boolean,
) =>
  s3.send(
    new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration, SkipDestinationValidation }),
  );

const queueRecords = (hooks: RecordedHooks) =>
  hooks.notifications.queueMessages.flatMap((message) => (JSON.parse(message.body) as Partial<S3Event>).Records ?? []);

describe('PutBucketNotificationConfiguration', () => {
  it(
    'stores EventBridge and queue configurations with their filters, naming the unnamed, and answers them ' + 'back',
    async () => {
      const bucket = await createBucket(s3, uniqueBucket('notify-config'));
      expect(await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))).not.toHaveProperty(
        'QueueConfigurations',
      );
      await configure(bucket, {
        EventBridgeConfiguration: {},
        QueueConfigurations: [
          {
            QueueArn: QUEUE,
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'prefix', Value: 'logs/' },
                  { Name: 'suffix', Value: '.gz' },
                ],
              },
            },
          },
          { Id: 'removals', QueueArn: QUEUE, Events: ['s3:ObjectRemoved:*'] },
        ],
      });
      const stored = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      expect(stored.EventBridgeConfiguration).toEqual({});
      expect(stored.QueueConfigurations).toEqual([
        {
          Id: expect.stringMatching(/^\S+$/),
          QueueArn: QUEUE,
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'prefix', Value: 'logs/' },
                { Name: 'suffix', Value: '.gz' },
              ],
            },
          },
        },
        { Id: 'removals', QueueArn: QUEUE, Events: ['s3:ObjectRemoved:*'] },
      ]);
      // S3 sends its test message to a queue a configuration names for the first time.
      expect(fixture.hooks.notifications.queueMessages.map((message) => JSON.parse(message.body))).toEqual([
        expect.objectContaining({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket }),
      ]);
      await configure(bucket, {});
      expect(await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))).not.toHaveProperty(
        'EventBridgeConfiguration',
      );
    },
  );

  it('refuses unknown events, bad filter rules and rules that could both match one event, as S3 does', async () => {
    const bucket = await createBucket(s3, uniqueBucket('notify-invalid'));
    const rule = (events: string[], prefix?: string, queue = QUEUE) => ({
      QueueArn: queue,
      Events: events as never[],
      ...(prefix === undefined
        ? {}
        : { Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: prefix }] } } }),
    });
    expect(
      await failure(configure(bucket, { QueueConfigurations: [rule(['s3:ObjectCreated:Sometimes'])] })),
    ).toMatchObject({
      name: 'InvalidArgument',
      message: 'The event is not supported for notifications',
    });
    const twoPrefixes = {
      QueueArn: QUEUE,
      Events: ['s3:ObjectCreated:*' as const],
      Filter: {
        Key: {
          FilterRules: [
            { Name: 'prefix' as const, Value: 'a' },
            { Name: 'prefix' as const, Value: 'b' },
          ],
        },
      },
    };
    expect(await failure(configure(bucket, { QueueConfigurations: [twoPrefixes] }))).toMatchObject({
      name: 'InvalidArgument',
      message: 'Cannot specify more than one prefix rule in a filter.',
    });
    expect(
      await failure(
        configure(bucket, {
          QueueConfigurations: [rule(['s3:ObjectCreated:*']), rule(['s3:ObjectCreated:Put'], 'images/', OTHER_QUEUE)],
        }),
      ),
    ).toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringContaining('Configuration is ambiguously defined'),
    });
    expect(
      await failure(
        configure(bucket, { QueueConfigurations: [rule(['s3:ObjectCreated:*']), rule(['s3:ObjectCreated:*'])] }),
      ),
    ).toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringContaining('Configurations overlap'),
    });
    // Overlapping filters for different event types, and distinct prefixes, are fine.
    await configure(bucket, {
      QueueConfigurations: [
        rule(['s3:ObjectCreated:*'], 'images/'),
        rule(['s3:ObjectRemoved:*'], 'images/'),
        rule(['s3:ObjectCreated:*'], 'logs/', OTHER_QUEUE),
      ],
    });
  });

  it(
    'validates destinations: a queue that is missing, denies S3 or sits in another region, SNS topics; ' +
      'unless told to skip',
    async () => {
      const bucket = await createBucket(s3, uniqueBucket('notify-destinations'));
      const denied = `arn:aws:sqs:us-east-1:${CUSTOMER}:no-policy`;
      fixture.hooks.notifications.queues.set(
        denied,
        'Permissions on the destination queue do not allow S3 to publish notifications from this bucket',
      );
      for (const [QueueArn, problem] of [
        [`arn:aws:sqs:us-east-1:${CUSTOMER}:missing`, 'The destination queue does not exist'],
        [denied, 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket'],
        [`arn:aws:sqs:eu-west-1:${CUSTOMER}:uploads`, 'The destination queue must be in the same region as the bucket'],
      ] as const) {
        const refused = configure(bucket, { QueueConfigurations: [{ QueueArn, Events: ['s3:ObjectCreated:*'] }] });
        await expect(refused).rejects.toMatchObject({
          name: 'InvalidArgument',
          message: 'Unable to validate the following destination configurations',
          ArgumentName1: QueueArn,
          ArgumentValue1: problem,
        });
      }
      expect(
        await failure(
          configure(bucket, {
            TopicConfigurations: [{ TopicArn: `arn:aws:sns:us-east-1:${CUSTOMER}:t`, Events: ['s3:ObjectCreated:*'] }],
          }),
        ),
      ).toMatchObject({
        name: 'InvalidArgument',
      });
      await configure(
        bucket,
        {
          QueueConfigurations: [
            { QueueArn: `arn:aws:sqs:us-east-1:${CUSTOMER}:missing`, Events: ['s3:ObjectCreated:*'] },
          ],
        },
        true,
      );
      expect(fixture.hooks.notifications.queueMessages).toEqual([]);
    },
  );
});

describe('notifications of object writes and deletes', () => {
  it('sends EventBridge the "Object Created" event in the shape S3 documents', async () => {
    const bucket = await createBucket(s3, uniqueBucket('notify-eventbridge'));
    await configure(bucket, { EventBridgeConfiguration: {} });
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/a b.txt', Body: 'hello' }));
    const [event] = await eventually(
      () => fixture.hooks.notifications.serviceEvents.length === 1 && fixture.hooks.notifications.serviceEvents,
    );
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: CUSTOMER,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: {
          key: 'in/a b.txt',
          size: 5,
          etag: put.ETag?.replaceAll('"', ''),
          sequencer: expect.stringMatching(/^[0-9A-F]{16}$/),
        },
        'request-id': expect.any(String),
        requester: CUSTOMER,
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
    });
  });

  it(
    'sends queues the Records message for the events and keys their rules match, with the reason of each ' + 'write',
    async () => {
      const bucket = await createBucket(s3, uniqueBucket('notify-queue'));
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      await configure(bucket, {
        QueueConfigurations: [
          {
            Id: 'created',
            QueueArn: QUEUE,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.log' }] } },
          },
          { Id: 'markers', QueueArn: QUEUE, Events: ['s3:ObjectRemoved:DeleteMarkerCreated'] },
        ],
      });
      fixture.hooks.notifications.queueMessages.length = 0;
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'red flower(1).log', Body: 'x' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'skipped.txt', Body: 'x' }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy.log', CopySource: `${bucket}/skipped.txt` }));
      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp.log' }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'mp.log', UploadId: upload.UploadId, PartNumber: 1, Body: 'p' }),
      );
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'mp.log',
          UploadId: upload.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'skipped.txt' }));
      const records = await eventually(() => queueRecords(fixture.hooks).length === 4 && queueRecords(fixture.hooks));
      expect(
        records.map((record) => [record.eventName, record.s3.object.key, record.s3.configurationId]).sort(),
      ).toEqual([
        ['ObjectCreated:CompleteMultipartUpload', 'mp.log', 'created'],
        ['ObjectCreated:Copy', 'copy.log', 'created'],
        ['ObjectCreated:Put', 'red+flower%281%29.log', 'created'],
        ['ObjectRemoved:DeleteMarkerCreated', 'skipped.txt', 'markers'],
      ]);
      const record = records.find((candidate) => candidate.eventName === 'ObjectCreated:Put');
      expect(record).toEqual({
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: CUSTOMER },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'created',
          bucket: { name: bucket, ownerIdentity: { principalId: CUSTOMER }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: 'red+flower%281%29.log',
            size: 1,
            eTag: put.ETag?.replaceAll('"', ''),
            versionId: put.VersionId,
            sequencer: expect.any(String),
          },
        },
      });
      expect(decodeURIComponent(record?.s3.object.key.replace(/\+/g, ' ') ?? '')).toBe('red flower(1).log');
    },
  );

  it('gives later events on a key greater sequencers, and raises nothing for a write that failed', async () => {
    const bucket = await createBucket(s3, uniqueBucket('notify-sequencer'));
    await configure(bucket, { EventBridgeConfiguration: {} });
    for (let round = 0; round < 5; round += 1)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: `${round}` }));
    await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'refused', IfNoneMatch: '*' })));
    const events = await eventually(
      () => fixture.hooks.notifications.serviceEvents.length >= 5 && fixture.hooks.notifications.serviceEvents,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fixture.hooks.notifications.serviceEvents).toHaveLength(5);
    const sequencers = events.map((event) => (event.detail.object as { sequencer: string }).sequencer);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(5);
  });

  it(
    'answers the write at once and keeps retrying a destination that refuses, without sending twice to the ' +
      'one that took it',
    async () => {
      const bucket = await createBucket(s3, uniqueBucket('notify-retry'));
      await configure(bucket, {
        EventBridgeConfiguration: {},
        QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectCreated:*'] }],
      });
      fixture.hooks.notifications.queueMessages.length = 0;
      // EventBridge takes the event at the 4th round (after 1.4 s), the queue at the 3rd.
      fixture.hooks.notifications.refuseNext = 5;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'retried', Body: 'x' }));
      expect(fixture.hooks.notifications.serviceEvents).toHaveLength(0);
      await eventually(
        () =>
          fixture.hooks.notifications.serviceEvents.length === 1 &&
          fixture.hooks.notifications.queueMessages.length === 1,
        8000,
      );
      expect(fixture.hooks.notifications.refuseNext).toBe(0);
    },
  );
});

describe('notifications across a restart of the endpoint', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-s3-notify-'));
  let endpoint: AwsEndpoint | undefined;
  afterAll(async () => {
    await endpoint?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(hooks: RecordedHooks): Promise<S3Client> {
    await endpoint?.close();
    hooks.notifications.queues.set(QUEUE, undefined);
    endpoint = await startAwsEndpoint({ port: 0, dataDir, hooks });
    const current = endpoint;
    return rootS3(
      {
        endpoint: current,
        dataDir,
        hooks,
        advanceClock: () => undefined,
        clockOffsetMs: () => 0,
        stop: () => current.close(),
      },
      CUSTOMER,
    );
  }

  it(
    'delivers after a restart what was committed but not delivered before it, and nothing twice once ' + 'delivered',
    async () => {
      const refusing = recordingHooks();
      refusing.notifications.refuseNext = Number.MAX_SAFE_INTEGER;
      let client = await start(refusing);
      const bucket = await createBucket(client, uniqueBucket('notify-restart'));
      await client.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: { EventBridgeConfiguration: {} },
        }),
      );
      for (const key of ['a', 'b', 'c'])
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));

      const accepting = recordingHooks();
      await start(accepting);
      // Nobody touches the bucket: the store reads its journal on its own because it sends notifications.
      const delivered = await eventually(
        () => accepting.notifications.serviceEvents.length === 3 && accepting.notifications.serviceEvents,
      );
      expect(delivered.map((event) => (event.detail.object as { key: string }).key).sort()).toEqual(['a', 'b', 'c']);
      // The deliveries are recorded in the bucket's journal (in batches) before the next restart.
      const journal = join(dataDir, 's3', 'buckets', bucket, 'objects.jsonl');
      const recorded = () =>
        readFileSync(journal, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{"notified"'))
          .flatMap((line) => (JSON.parse(line) as { notified: string[] }).notified);
      await eventually(() => recorded().length === 3);

      const again = recordingHooks();
      client = await start(again);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'd', Body: 'd' }));
      await eventually(() => again.notifications.serviceEvents.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(again.notifications.serviceEvents.map((event) => (event.detail.object as { key: string }).key)).toEqual([
        'd',
      ]);
    },
  );
});
