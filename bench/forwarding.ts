/**
 * Audit-log forwarding on the local stack (its own, started for the bench, its schedule held back
 * so that the bench decides when a tick happens):
 *
 *  1. throughput, one cluster: 10,000 small files (~1.5 KiB) delivered in order by worker runs
 *     called in-process, run after run, until the cursor reaches the last file;
 *  2. throughput, fan-out: 10,000 files over 100 clusters, one scheduler tick, the stack's SQS
 *     worker delivering;
 *  3. one scheduled run over 1,000 enabled clusters with one new file each: wall time from the
 *     tick to the last file in a customer bucket.
 *
 *   npx tsx bench/forwarding.ts [--quick]      (--quick: a tenth of the sizes, for a smoke run)
 */
import { randomBytes } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { credentialVariables, functionCredentials } from '@s3-integrations/local-runtime/function-credentials';
import { startBenchStack, sleep, type BenchStack } from './support/local-stack';
import {
  activeIntegration,
  benchProject,
  countObjects,
  dedicatedClusters,
  disableForwarding,
  enableForwarding,
  writeAuditLogs,
  type BenchIntegration,
  type BenchProject,
} from './support/forwarding-world';

const SCALE = process.argv.includes('--quick') ? 0.1 : 1;
const ONE_CLUSTER_FILES = 10_000 * SCALE;
const FAN_OUT_CLUSTERS = 100 * SCALE;
const FAN_OUT_FILES_PER_CLUSTER = 100;
const TICK_CLUSTERS = 1_000 * SCALE;
const TICK_INTEGRATIONS = 10;
const MiB = 1024 * 1024;

type Handlers = Awaited<ReturnType<typeof loadHandlers>>;

/** The handlers run in this process with the stack's function environment, as the stack runs them. */
async function loadHandlers(stack: BenchStack) {
  const credentials = await functionCredentials(stack, ['forwardAuditLogs', 'scheduleAuditLogForwarding']);
  Object.assign(process.env, stack.environment, credentialVariables(credentials), { POWERTOOLS_LOG_LEVEL: 'WARN' });
  const worker = await import('#functions/forward-audit-logs/handler');
  const scheduler = await import('#functions/schedule-audit-log-forwarding/handler');
  const store = await import('#shared/forwarding/forwarding-store');
  return { worker: worker.handler, scheduler: scheduler.handler, getForwarding: store.loadForwarding };
}

function context(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomBytes(8).toString('hex'),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as Context;
}

const tickEvent = (): ScheduledEvent => ({
  version: '0',
  id: randomBytes(8).toString('hex'),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '111111111111',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail: {},
});

const rate = (files: number, bytes: number, ms: number) =>
  `${files} files, ${(bytes / MiB).toFixed(1)} MiB in ${(ms / 1000).toFixed(1)} s: ${(files / (ms / 1000)).toFixed(0)} files/s, ${(bytes / MiB / (ms / 1000)).toFixed(2)} MiB/s`;

async function oneCluster(
  stack: BenchStack,
  handlers: Handlers,
  project: BenchProject,
  integration: BenchIntegration,
): Promise<string> {
  const [clusterId] = (await dedicatedClusters(stack, project, 1)) as [string];
  await enableForwarding(project, [{ clusterId, integrationId: integration.integrationId }], 'one');
  const bytes = await writeAuditLogs(stack, [clusterId], ONE_CLUSTER_FILES);
  const event = {
    Records: [
      {
        messageId: 'bench',
        body: JSON.stringify({ projectId: project.projectId, clusterId, scheduledAt: new Date().toISOString() }),
      },
    ],
  };
  const started = performance.now();
  let runs = 0;
  for (;;) {
    runs += 1;
    await handlers.worker(event as never, context(60_000));
    const forwarding = await handlers.getForwarding(project.projectId, clusterId);
    if (forwarding?.health.lagSeconds === 0) break;
    if (forwarding?.health.lastError && forwarding.health.consecutiveFailures > 0)
      throw new Error(`delivery failed: ${forwarding.health.lastError.code}`);
  }
  const ms = performance.now() - started;
  const delivered = await countObjects(stack, integration, `one/${clusterId}/audit/`);
  if (delivered !== ONE_CLUSTER_FILES)
    throw new Error(`expected ${ONE_CLUSTER_FILES} files, the customer holds ${delivered}`);
  await disableForwarding(project, [clusterId]);
  return `one cluster, in order (${runs} worker runs): ${rate(ONE_CLUSTER_FILES, bytes, ms)}`;
}

/** Fires one tick and waits until every cluster's files are in the customer buckets. */
async function tickUntilDelivered(
  stack: BenchStack,
  handlers: Handlers,
  expected: Array<{ integration: BenchIntegration; prefix: string; count: number }>,
): Promise<{ ms: number; tickMs: number }> {
  const started = performance.now();
  const tick = await handlers.scheduler(tickEvent(), context(60_000));
  const tickMs = performance.now() - started;
  if (tick.failed > 0) throw new Error(`${tick.failed} messages were not sent`);
  for (;;) {
    const counts = await Promise.all(
      expected.map(({ integration, prefix }) => countObjects(stack, integration, prefix)),
    );
    if (counts.every((count, index) => count >= (expected[index]?.count ?? 0))) break;
    if (performance.now() - started > 10 * 60_000)
      throw new Error(`not delivered within 10 minutes: ${counts.join(',')}`);
    await sleep(100);
  }
  return { ms: performance.now() - started, tickMs };
}

async function fanOut(
  stack: BenchStack,
  handlers: Handlers,
  project: BenchProject,
  integration: BenchIntegration,
): Promise<string> {
  const clusters = await dedicatedClusters(stack, project, FAN_OUT_CLUSTERS);
  await enableForwarding(
    project,
    clusters.map((clusterId) => ({ clusterId, integrationId: integration.integrationId })),
    'fan',
  );
  const bytes = await writeAuditLogs(stack, clusters, FAN_OUT_FILES_PER_CLUSTER);
  const files = clusters.length * FAN_OUT_FILES_PER_CLUSTER;
  const { ms } = await tickUntilDelivered(stack, handlers, [{ integration, prefix: 'fan/', count: files }]);
  await disableForwarding(project, clusters);
  return `${clusters.length} clusters in parallel, one tick: ${rate(files, bytes, ms)}`;
}

async function oneTick(
  stack: BenchStack,
  handlers: Handlers,
  project: BenchProject,
  integrations: BenchIntegration[],
): Promise<string> {
  const clusters = await dedicatedClusters(stack, project, TICK_CLUSTERS);
  const assignments = clusters.map((clusterId, index) => ({
    clusterId,
    integration: integrations[index % integrations.length] as BenchIntegration,
  }));
  await enableForwarding(
    project,
    assignments.map(({ clusterId, integration }) => ({ clusterId, integrationId: integration.integrationId })),
    'tick',
  );
  await writeAuditLogs(stack, clusters, 1);
  const expected = integrations.map((integration) => ({
    integration,
    prefix: 'tick/',
    count: assignments.filter((assignment) => assignment.integration === integration).length,
  }));
  const { ms, tickMs } = await tickUntilDelivered(stack, handlers, expected);
  return `one scheduled run over ${clusters.length} enabled clusters, one new file each: ${(ms / 1000).toFixed(1)} s from tick to the last delivery (the scheduler itself: ${tickMs.toFixed(0)} ms)`;
}

async function main(): Promise<void> {
  // The stack's own schedule is held back (first tick in an hour): the bench fires the ticks it measures.
  const stack = await startBenchStack({ LOCAL_SCHEDULE_SECONDS: '3600' });
  try {
    const handlers = await loadHandlers(stack);
    const project = await benchProject(stack);
    const integrations: BenchIntegration[] = [];
    for (let index = 0; index < TICK_INTEGRATIONS; index += 1)
      integrations.push(await activeIntegration(stack, project));
    const [first] = integrations as [BenchIntegration];
    console.log('audit-log forwarding on the local stack:');
    console.log(`  ${await oneCluster(stack, handlers, project, first)}`);
    console.log(`  ${await fanOut(stack, handlers, project, first)}`);
    console.log(`  ${await oneTick(stack, handlers, project, integrations)}`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
