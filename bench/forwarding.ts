/**
 * Audit-log forwarding on the local stack (its own, started for the bench with the DynamoDB
 * capacity meter on and its schedule held back, so that every delivery measured is the event
 * path's or, where said, a catch-up run's):
 *
 *  1. latency, landing to confirmed write: 1,000 files over 100 clusters (10 customer buckets),
 *     written by the platform 16 at a time as fast as they go, then (100 other clusters) paced at
 *     25 files/s, each after a warm-up file per bucket; p50 and p99 of (ledger's confirmation time - the
 *     moment the platform's PutObject returned), with the AWS requests the functions made and the
 *     DynamoDB write units they consumed per delivered file;
 *  2. throughput, one cluster, 10,000 files: as they land (events), against the peer measured in
 *     the same run: the same number of files delivered as a backlog by the in-order catch-up run
 *     (paused while written, then resumed), the path that replaces the polling worker's in-order
 *     runs (228 files/s on this machine before the event path, docs/scale-and-cost.md).
 *
 *   npx tsx bench/forwarding.ts [--quick] [--latency-only]   (--quick: a tenth of the sizes, for a smoke run)
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { HOUR_MS, hourLabel, sourceKey } from '#shared/forwarding/audit-log-keys';
import { inParallel } from '#shared/worker/in-parallel';
import { deliveryLedgerPk } from '#shared/table/keys';
import { readFileSync } from 'node:fs';
import { auditLogLines } from '../test/fixtures/audit-log-lines';
import { cpuMsOf } from './support/process-cpu';
import { startBenchStack, sleep, type BenchStack } from './support/local-stack';
import {
  activeIntegration,
  benchProject,
  countObjects,
  dedicatedClusters,
  enableForwarding,
  platformClients,
  type BenchIntegration,
  type BenchProject,
} from './support/forwarding-world';

const SCALE = process.argv.includes('--quick') ? 0.1 : 1;
const LATENCY_CLUSTERS = 100 * SCALE;
const LATENCY_FILES_PER_CLUSTER = 10;
const LATENCY_INTEGRATIONS = 10;
const ONE_CLUSTER_FILES = 10_000 * SCALE;
const WRITERS = 16;
/** Twice the modelled average of 1,000,000 files a day (11.6 files/s, docs/scale-and-cost.md), with room for bursts. */
const PACED_FILES_PER_SECOND = 25;
/** Before the event path: the polling worker's in-order runs over one cluster (docs/scale-and-cost.md). */
const POLLING_FILES_PER_SECOND = 228;

interface Landed {
  clusterId: string;
  key: string;
  /** When the platform's PutObject returned (epoch ms). */
  at: number;
}

/**
 * Writes `perCluster` files per cluster, timestamped now (one second apart per cluster), WRITERS at
 * a time, as fast as they go or, with `perSecond`, paced to that rate.
 */
async function land(
  stack: BenchStack,
  clusters: string[],
  perCluster: number,
  perSecond?: number,
): Promise<{ landed: Landed[]; ms: number }> {
  const { s3 } = platformClients(stack);
  const now = Math.floor(Date.now() / 1000) * 1000;
  const files = clusters.flatMap((clusterId) =>
    Array.from({ length: perCluster }, (_, index) => ({
      clusterId,
      writtenAt: new Date(now - (perCluster - 1 - index) * 1000),
    })),
  );
  // Interleaved across clusters, as many clusters' log shippers would write.
  files.sort((a, b) => a.writtenAt.getTime() - b.writtenAt.getTime());
  const landed: Landed[] = [];
  const started = performance.now();
  let next = 0;
  await inParallel(files, WRITERS, async ({ clusterId, writtenAt }) => {
    const due = perSecond ? started + (next++ * 1000) / perSecond : 0;
    if (due > performance.now()) await sleep(due - performance.now());
    const key = sourceKey(clusterId, writtenAt, randomBytes(4).toString('hex'));
    const body = `${auditLogLines(clusterId, writtenAt, 5, () => randomBytes(16).toString('hex'))}\n`;
    await s3.send(new PutObjectCommand({ Bucket: 'platform-audit-logs', Key: key, Body: body }));
    landed.push({ clusterId, key, at: Date.now() });
  });
  return { landed, ms: performance.now() - started };
}

async function waitForDelivery(
  stack: BenchStack,
  expected: Array<{ integration: BenchIntegration; prefix: string; count: number }>,
  limitMs: number,
  pollMs = 250,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const counts = await Promise.all(
      expected.map(({ integration, prefix }) => countObjects(stack, integration, prefix)),
    );
    if (counts.every((count, index) => count >= (expected[index]?.count ?? 0))) return;
    if (Date.now() - started > limitMs)
      throw new Error(
        `not delivered within ${limitMs / 1000} s: ${counts.join(',')} of ` +
          `${expected.map((entry) => entry.count).join(',')}`,
      );
    await sleep(pollMs);
  }
}

/** The ledger's confirmation time (epoch ms) of every file of the clusters, for the last two hours. */
async function confirmations(
  stack: BenchStack,
  project: BenchProject,
  clusters: string[],
): Promise<Map<string, { at: number; via: string }>> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamodbUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const confirmed = new Map<string, { at: number; via: string }>();
  const hours = [Date.now() - HOUR_MS, Date.now()].map((time) => hourLabel(time));
  await inParallel(
    clusters.flatMap((clusterId) => hours.map((hour) => ({ clusterId, hour }))),
    8,
    async ({ clusterId, hour }) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: stack.environment.TABLE_NAME,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': deliveryLedgerPk(project.projectId, clusterId, hour) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? [])
          confirmed.set(String(item.sk), { at: Date.parse(String(item.deliveredAt)), via: String(item.via) });
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    },
  );
  return confirmed;
}

/**
 * CPU time (ms) of the stack and its children (DynamoDB Local): the machine is shared, CPU per file says more than wall
 * time.
 */
function stackCpuMs(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // gone meanwhile
  }
  let own: number;
  try {
    own = cpuMsOf(pid);
  } catch {
    return 0;
  }
  return own + children.reduce((sum, child) => sum + stackCpuMs(child), 0);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

/**
 * What the functions asked of AWS (the endpoint's tally, callers that are role sessions: functions and the customer
 * sessions they assume).
 */
async function functionRequests(stack: BenchStack): Promise<Record<string, number>> {
  const report = (await (await fetch(`${stack.awsUrl}/_local/usage`)).json()) as {
    requests: Record<string, Record<string, number>>;
  };
  const byAction: Record<string, number> = {};
  for (const [caller, actions] of Object.entries(report.requests)) {
    // the bench's own calls (root of the platform and customer accounts)
    if (!caller.includes(':assumed-role/')) continue;
    for (const [action, count] of Object.entries(actions)) byAction[action] = (byAction[action] ?? 0) + count;
  }
  return byAction;
}

async function writeUnits(
  stack: BenchStack,
): Promise<{ writeUnits: number; readUnits: number; failedConditionalWrites: number }> {
  const usage = (await (await fetch(`${stack.dynamodbMeterUrl}/_local/usage`)).json()) as {
    operations: Record<string, { writeUnits: number; readUnits: number }>;
    failedConditionalWrites: number;
  };
  const totals = Object.values(usage.operations).reduce(
    (sum, op) => ({ writeUnits: sum.writeUnits + op.writeUnits, readUnits: sum.readUnits + op.readUnits }),
    { writeUnits: 0, readUnits: 0 },
  );
  return { ...totals, failedConditionalWrites: usage.failedConditionalWrites };
}

async function resetUsage(stack: BenchStack): Promise<void> {
  await fetch(`${stack.awsUrl}/_local/usage`, { method: 'DELETE' });
  await fetch(`${stack.dynamodbMeterUrl}/_local/usage`, { method: 'DELETE' });
}

async function latency(
  stack: BenchStack,
  project: BenchProject,
  integrations: BenchIntegration[],
  directory: string,
  perSecond?: number,
): Promise<string[]> {
  const clusters = await dedicatedClusters(stack, project, LATENCY_CLUSTERS);
  const assignments = clusters.map((clusterId, index) => ({
    clusterId,
    integration: integrations[index % integrations.length] as BenchIntegration,
  }));
  await enableForwarding(
    project,
    assignments.map(({ clusterId, integration }) => ({ clusterId, integrationId: integration.integrationId })),
    directory,
  );
  // Warm-up: one file per customer bucket first, so that the measured files meet warm function sandboxes, as steady
  // traffic does.
  const warm = assignments.slice(0, integrations.length);
  await land(
    stack,
    warm.map((entry) => entry.clusterId),
    1,
  );
  await waitForDelivery(
    stack,
    warm.map(({ integration }) => ({ integration, prefix: `${directory}/`, count: 1 })),
    60_000,
  );
  await sleep(2_000);
  await resetUsage(stack);
  const { landed, ms: writeMs } = await land(stack, clusters, LATENCY_FILES_PER_CLUSTER, perSecond);
  const expected = integrations.map((integration) => ({
    integration,
    prefix: `${directory}/`,
    count: 1 + assignments.filter((entry) => entry.integration === integration).length * LATENCY_FILES_PER_CLUSTER,
  }));
  await waitForDelivery(stack, expected, 5 * 60_000);
  await sleep(1_000); // the last ledger writes follow their customer writes
  const requests = await functionRequests(stack);
  const units = await writeUnits(stack);
  const confirmed = await confirmations(stack, project, clusters);
  const latencies = landed.map((file) => {
    const entry = confirmed.get(file.key);
    if (!entry) throw new Error(`no ledger entry for ${file.key}`);
    return entry.at - file.at;
  });
  latencies.sort((a, b) => a - b);
  const viaEvent = landed.filter((file) => confirmed.get(file.key)?.via === 'event').length;
  const files = landed.length;
  const totalRequests = Object.values(requests).reduce((sum, count) => sum + count, 0);
  const perFile = (count: number) => (count / files).toFixed(2);
  const breakdown = Object.entries(requests)
    .sort(([, a], [, b]) => b - a)
    .map(([action, count]) => `${action} ${perFile(count)}`)
    .join(', ');
  return [
    `latency, landed -> confirmed, ${files} files over ${clusters.length} clusters, ` +
      `${perSecond ? `paced at ${perSecond} files/s` : `as fast as ${WRITERS} writers go`} ` +
      `(written in ${(writeMs / 1000).toFixed(1)} s; ${viaEvent} delivered by their event): ` +
      `min ${(percentile(latencies, 0) / 1000).toFixed(2)} s, ` +
      `p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, ` +
      `p99 ${(percentile(latencies, 99) / 1000).toFixed(2)} s, max ${(percentile(latencies, 100) / 1000).toFixed(2)} s`,
    `  per delivered file: ${perFile(totalRequests)} AWS requests by the functions (${breakdown})`,
    `  per delivered file: ${perFile(units.writeUnits)} DynamoDB write units, ` +
      `${perFile(units.readUnits)} read units ` +
      `(${units.failedConditionalWrites} refused conditional writes)`,
  ];
}

async function throughput(stack: BenchStack, project: BenchProject, integration: BenchIntegration): Promise<string[]> {
  const [live, backlog] = (await dedicatedClusters(stack, project, 2)) as [string, string];
  await enableForwarding(
    project,
    [
      { clusterId: live, integrationId: integration.integrationId },
      { clusterId: backlog, integrationId: integration.integrationId },
    ],
    'one',
  );
  const forwardingOf = (clusterId: string) =>
    `/v1/projects/${project.projectId}/clusters/${clusterId}/audit-log-forwarding`;

  // As they land: from the first write to the last file in the customer's bucket.
  const started = performance.now();
  const liveCpu = stackCpuMs(stack.pid);
  const { ms: writeMs } = await land(stack, [live], ONE_CLUSTER_FILES);
  await waitForDelivery(stack, [{ integration, prefix: `one/${live}/`, count: ONE_CLUSTER_FILES }], 10 * 60_000, 1_000);
  const liveMs = performance.now() - started;
  const liveCpuMs = stackCpuMs(stack.pid) - liveCpu;

  // The peer: the same number of files as a backlog, delivered in order by catch-up runs after a resume.
  const paused = await project.call('PATCH', forwardingOf(backlog), { paused: true });
  if (paused.status !== 200) throw new Error(`PATCH paused answered ${paused.status}`);
  await land(stack, [backlog], ONE_CLUSTER_FILES);
  await sleep(2_000); // the last events turned into pending files
  const resumedAt = performance.now();
  const backlogCpu = stackCpuMs(stack.pid);
  const resumed = await project.call('PATCH', forwardingOf(backlog), { paused: false });
  if (resumed.status !== 200) throw new Error(`PATCH resume answered ${resumed.status}`);
  await waitForDelivery(
    stack,
    [{ integration, prefix: `one/${backlog}/`, count: ONE_CLUSTER_FILES }],
    20 * 60_000,
    1_000,
  );
  const backlogMs = performance.now() - resumedAt;
  const backlogCpuMs = stackCpuMs(stack.pid) - backlogCpu;
  const cpuPerFile = (ms: number) => (ms / ONE_CLUSTER_FILES).toFixed(2);

  const rate = (ms: number) => ONE_CLUSTER_FILES / (ms / 1000);
  return [
    `throughput, one cluster, ${ONE_CLUSTER_FILES} files as they land (events): ` +
      `${(liveMs / 1000).toFixed(1)} s from the first write to the last file delivered, ` +
      `${rate(liveMs).toFixed(0)} files/s; the platform's writes took ${(writeMs / 1000).toFixed(1)} s ` +
      `(${rate(writeMs).toFixed(0)} files/s), ` +
      `so the last file was delivered ${((liveMs - writeMs) / 1000).toFixed(1)} s after the last write`,
    `  peer, the same files as a backlog after a resume (in-order catch-up runs): ` +
      `${(backlogMs / 1000).toFixed(1)} s, ${rate(backlogMs).toFixed(0)} files/s; ` +
      `events / peer ${(rate(liveMs) / rate(backlogMs)).toFixed(2)}x, ` +
      `events / polling before (${POLLING_FILES_PER_SECOND} files/s) ` +
      `${(rate(liveMs) / POLLING_FILES_PER_SECOND).toFixed(2)}x`,
    `  stack CPU (endpoint, functions, DynamoDB Local) per file: events ` +
      `${cpuPerFile(liveCpuMs)} ms (the platform's writes included), ` +
      `backlog ${cpuPerFile(backlogCpuMs)} ms; ` +
      `events / backlog ${(liveCpuMs / backlogCpuMs).toFixed(2)}x`,
  ];
}

async function main(): Promise<void> {
  // The stack's own schedule is held back (first tick in an hour): no reconciliation delivers anything here.
  const stack = await startBenchStack({ LOCAL_SCHEDULE_SECONDS: '3600', LOCAL_METER_DYNAMODB: '1' });
  try {
    if (!stack.dynamodbMeterUrl) throw new Error('the stack started without its DynamoDB meter');
    const project = await benchProject(stack);
    const integrations: BenchIntegration[] = [];
    for (let index = 0; index < LATENCY_INTEGRATIONS; index += 1)
      integrations.push(await activeIntegration(stack, project));
    console.log('audit-log forwarding on the local stack:');
    for (const line of await latency(stack, project, integrations, 'burst')) console.log(`  ${line}`);
    for (const line of await latency(stack, project, integrations, 'paced', PACED_FILES_PER_SECOND))
      console.log(`  ${line}`);
    if (!process.argv.includes('--latency-only'))
      for (const line of await throughput(stack, project, integrations[0] as BenchIntegration))
        console.log(`  ${line}`);
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
