/**
 * What S3 event notifications cost a writer on the local endpoint: small PutObjects to a bucket
 * without notifications against PutObjects to a bucket that notifies EventBridge (a rule
 * forwarding to a queue) and a queue. The destinations are the runtime's own
 * (local/runtime/src/s3-notification-targets.ts), built from a small serverless.yml; the endpoint runs
 * in this process, as in `npm start`.
 *
 *   npx tsx bench/s3-notifications.ts [--quick]
 *
 * One at a time, the two buckets take turns write by write (so load from elsewhere on the
 * machine hits both alike): the time of 1,000 writes to each, as the sum of their latencies, and
 * the median latency. Sixteen at a time, they take turns batch by batch (250 writes): the wall
 * and CPU time of this process (client, endpoint and deliveries) per 1,000 writes. Each figure is
 * the median of the rounds, with the ratio notifying / plain; last, how long after the last write
 * every event had arrived.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';
import { startAwsEndpoint } from '@s3-integrations/aws-endpoint/server';
import { AsyncInvoker } from '@s3-integrations/local-runtime/async-invoker';
import { LocalCloudFormation } from '@s3-integrations/local-runtime/cloudformation';
import { LocalEventBridge } from '@s3-integrations/local-runtime/eventbridge';
import { LocalFunctions } from '@s3-integrations/local-runtime/functions';
import { s3NotificationTargets } from '@s3-integrations/local-runtime/s3-notification-targets';
import { loadService } from '@s3-integrations/local-runtime/service-model';
import { LocalQueues } from '@s3-integrations/local-runtime/sqs';
import { rootCredentials } from './support/local-stack';

const WRITES = 1000;
const ROUNDS = process.argv.includes('--quick') ? 3 : 5;

const SERVICE =
  `service: notify-bench
provider: { name: aws, stage: bench, region: us-east-1 }
resources:
  Resources:
    Events:
      Type: AWS::SQS::Queue
    Records:
      Type: AWS::SQS::Queue
    RecordsPolicy:
      Type: AWS::SQS::QueuePolicy
      Properties:
        Queues: [!Ref Records]
        PolicyDocument:
          Statement:
            - { Effect: Allow, Principal: { Service: s3.amazonaws.com }, Action: sqs:SendMessage, ` +
  `Resource: !GetAtt Records.Arn }
    Created:
      Type: AWS::Events::Rule
      Properties:
        EventPattern: { source: [aws.s3], detail-type: [Object Created] }
        Targets: [{ Id: events, Arn: !GetAtt Events.Arn }]
`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-s3-notify-'));
  writeFileSync(join(dir, 'serverless.yml'), SERVICE);
  const service = loadService(join(dir, 'serverless.yml'));
  const endpoint = await startAwsEndpoint({
    port: 0,
    dataDir: join(dir, 'aws'),
    hooks: await runtimeHooks(service, dir),
  });
  const s3 = new S3Client({
    endpoint: endpoint.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: rootCredentials(PLATFORM_ACCOUNT_ID),
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'notifying' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'notifying',
        NotificationConfiguration: {
          EventBridgeConfiguration: {},
          QueueConfigurations: [
            { QueueArn: `arn:aws:sqs:us-east-1:${PLATFORM_ACCOUNT_ID}:Records`, Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
    await writes(s3, 'plain', 200, 8); // warm-up: JIT, sockets, both journals
    await writes(s3, 'notifying', 200, 8);
    const sequential = {
      plain: [] as number[],
      notifying: [] as number[],
      plainLatency: [] as number[],
      notifyingLatency: [] as number[],
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      const latencies = await alternatingWrites(s3, WRITES);
      sequential.plain.push(sum(latencies.plain));
      sequential.notifying.push(sum(latencies.notifying));
      sequential.plainLatency.push(median(latencies.plain));
      sequential.notifyingLatency.push(median(latencies.notifying));
    }
    const [plainTotal, notifyingTotal] = [median(sequential.plain), median(sequential.notifying)];
    console.log(
      `${WRITES} PutObjects one at a time (median of ${ROUNDS} rounds): ` +
        `plain ${plainTotal.toFixed(0)} ms, notifying ${notifyingTotal.toFixed(0)} ms ` +
        `(${(notifyingTotal / plainTotal).toFixed(2)}x); ` +
        `median latency ${median(sequential.plainLatency).toFixed(2)} ` +
        `vs ${median(sequential.notifyingLatency).toFixed(2)} ms`,
    );
    const batches: Record<'plain' | 'notifying', Array<{ wallMs: number; cpuMs: number }>> = {
      plain: [],
      notifying: [],
    };
    for (let round = 0; round < ROUNDS * 4; round += 1) {
      for (const bucket of round % 2 === 0 ? (['plain', 'notifying'] as const) : (['notifying', 'plain'] as const)) {
        batches[bucket].push(await writes(s3, bucket, WRITES / 4, 16));
      }
    }
    const figure = (bucket: 'plain' | 'notifying', field: 'wallMs' | 'cpuMs') =>
      median(batches[bucket].map((batch) => batch[field]));
    console.log(
      `PutObjects 16 at a time, per ${WRITES} (median of ${ROUNDS * 4} batches): ` +
        `wall plain ${figure('plain', 'wallMs').toFixed(0)} ms, ` +
        `notifying ${figure('notifying', 'wallMs').toFixed(0)} ms ` +
        `(${(figure('notifying', 'wallMs') / figure('plain', 'wallMs')).toFixed(2)}x); ` +
        `CPU plain ${figure('plain', 'cpuMs').toFixed(0)} ms, ` +
        `notifying ${figure('notifying', 'cpuMs').toFixed(0)} ms ` +
        `(${(figure('notifying', 'cpuMs') / figure('plain', 'cpuMs')).toFixed(2)}x)`,
    );
    const started = Date.now();
    await deliveredAll();
    console.log(`every event had arrived ${Date.now() - started} ms after the last write`);
  } finally {
    s3.destroy();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let queues: LocalQueues;
let expected = 0;

async function runtimeHooks(service: ReturnType<typeof loadService>, dir: string) {
  const cloudFormation = new LocalCloudFormation(service, 'http://127.0.0.1:4566');
  const functions = new LocalFunctions(service);
  queues = new LocalQueues(cloudFormation, functions);
  const bus = new LocalEventBridge(cloudFormation, functions, new AsyncInvoker(functions), {
    sendToQueue: async (arn, body) => queues.send(queues.byArn(arn) ?? fail(`no queue ${arn} in ${dir}`), [body]),
    startExecution: () => Promise.reject(new Error('no state machines here')),
  });
  const unused = () => Promise.reject(new Error('not used by this bench'));
  return {
    putEvents: unused,
    startExecution: unused,
    describeExecution: unused,
    sendMessages: unused,
    eventBus: (arn: string) => bus.eventBus(arn),
    queues: { createQueue: () => fail('not used by this bench'), receive: () => [], delete: () => undefined },
    rules: bus.ruleHooks(),
    notifications: s3NotificationTargets(cloudFormation, bus, queues),
  };
}

async function writes(
  s3: S3Client,
  bucket: string,
  count: number,
  concurrency: number,
): Promise<{ wallMs: number; cpuMs: number }> {
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: `logs/${index}.log`, Body: 'a small audit log line\n' }),
        );
      }
    }),
  );
  if (bucket === 'notifying') expected += count;
  const used = process.cpuUsage(cpu);
  const scale = WRITES / count;
  return { wallMs: (performance.now() - started) * scale, cpuMs: ((used.user + used.system) / 1000) * scale };
}

/** Writes to the two buckets in turn (which goes first alternates), timing each write. */
async function alternatingWrites(s3: S3Client, count: number): Promise<{ plain: number[]; notifying: number[] }> {
  const latencies = { plain: [] as number[], notifying: [] as number[] };
  for (let index = 0; index < count; index += 1) {
    for (const bucket of index % 2 === 0 ? (['plain', 'notifying'] as const) : (['notifying', 'plain'] as const)) {
      const started = performance.now();
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `logs/${index}.log`, Body: 'a small audit log line\n' }),
      );
      latencies[bucket].push(performance.now() - started);
    }
  }
  expected += count;
  return latencies;
}

/** Both queues hold one message per write to the notifying bucket (plus S3's test message). */
async function deliveredAll(): Promise<void> {
  const count = (name: string) => queues.queues.find((queue) => queue.logicalId === name)?.messages.length ?? 0;
  while (count('Events') < expected || count('Records') < expected + 1)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const fail = (message: string): never => {
  throw new Error(message);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
