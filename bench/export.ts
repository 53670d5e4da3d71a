/**
 * Backup export throughput on the local stack (its own, started for the bench), against rclone:
 *
 *  (a) one 1 GiB file, (b) 2,000 files of 64 KiB, from a platform bucket to a customer bucket.
 *
 * The export: the real start handler queues the job (its message parked, not run by the stack),
 * then the worker, bundled by esbuild as for deployment, runs the job in a child process of its
 * own; the bench reads the child's handler time and peak RSS. rclone: `rclone copy` of the same
 * files with the same assumed-role credentials (same role, external ID and session policy shape),
 * the same endpoint, streaming (`--disable Copy`: no server-side copy), its default settings.
 *
 * Export and rclone take turns (two rounds each; --quick: one) and the best run of each counts.
 *
 * (b) is bound by requests rather than bytes, and both sides send theirs to the same local stack,
 * one Node process. So for (b) the bench also reads that process's CPU time per copied file for
 * each side: while the stack is the bottleneck (it is for rclone), no client goes faster than the
 * stack serves its requests, and the ratio of the two per-file costs is a ceiling on the ratio.
 * It also times the AWS SDK alone (support/sdk-copy-loop.ts): what any client built on it reaches.
 *
 *   npx tsx bench/export.ts [--quick]      (--quick: 128 MiB and 200 files, for a smoke run)
 *   BENCH_ONLY=a|b npx tsx bench/export.ts (one case only)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { credentialVariables, functionCredentials } from '@s3-integrations/local-runtime/function-credentials';
import { inParallel } from '#shared/worker/in-parallel';
import { contentStream } from '../test/exports/support/backup-data';
import { PLATFORM_EVENT_BUS, startBenchStack, rootCredentials, sleep, type BenchStack } from './support/local-stack';
import { cpuMsOf } from './support/process-cpu';
import {
  activeIntegration,
  benchProject,
  dedicatedClusters,
  platformClients,
  REGION,
  type BenchIntegration,
  type BenchProject,
} from './support/forwarding-world';

const QUICK = process.argv.includes('--quick');
const MiB = 1024 * 1024;
const PLATFORM_ACCOUNT = '111111111111';
const CASES = [
  {
    label: QUICK ? '(a) one 128 MiB file' : '(a) one 1 GiB file',
    files: [{ name: 'segment.bin', size: (QUICK ? 128 : 1024) * MiB }],
  },
  {
    label: QUICK ? '(b) 200 files of 64 KiB' : '(b) 2,000 files of 64 KiB',
    files: Array.from({ length: QUICK ? 200 : 2000 }, (_, index) => ({
      name: `data/part-${String(index).padStart(5, '0')}.bin`,
      size: 64 * 1024,
    })),
    // Bound by requests rather than bytes: the bench adds the stack's ceiling and the SDK alone.
    requestBound: true,
  },
];
const TARGETS: Array<{ ratio: number; rssMiB?: number }> = [{ ratio: 1.0, rssMiB: 256 }, { ratio: 1.5 }];
const ROUNDS = QUICK ? 1 : 2;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const percent = (fraction: number) => `${(fraction * 100).toFixed(0)}%`;

interface World {
  stack: BenchStack;
  project: BenchProject;
  integration: BenchIntegration & { roleArn: string; externalId: string };
  clusterId: string;
  token: string;
}

async function setUp(stack: BenchStack): Promise<World> {
  // Handlers called in this process run with the stack's environment and their functions' role;
  // their queue messages are parked in the dead-letter queue (no consumer), so the stack's own
  // worker never runs the job, which their role may therefore also send to.
  const parking = {
    Effect: 'Allow' as const,
    Action: 'sqs:SendMessage',
    Resource: `arn:aws:sqs:${REGION}:${PLATFORM_ACCOUNT}:ExportDeadLetterQueue`,
  };
  const credentials = await functionCredentials(stack, ['startBackupExport', 'runExportJob'], [parking]);
  Object.assign(process.env, stack.environment, credentialVariables(credentials), { POWERTOOLS_LOG_LEVEL: 'WARN' });
  process.env.EXPORT_QUEUE_URL = (process.env.EXPORT_QUEUE_URL ?? '').replace(
    /\/ExportQueue$/,
    '/ExportDeadLetterQueue',
  );
  const project = await benchProject(stack);
  const integration = await activeIntegration(stack, project);
  const [clusterId = ''] = await dedicatedClusters(stack, project, 1);
  const { json } = await project.call(
    'GET',
    `/v1/projects/${project.projectId}/integrations/${integration.integrationId}`,
  );
  const token = await stack.token({ sub: 'bench', org: `org-${project.projectId}`, orgRole: 'owner', projects: {} });
  return {
    stack,
    project,
    clusterId,
    token,
    integration: { ...integration, roleArn: String(json.roleArn), externalId: String(json.externalId) },
  };
}

/** Writes the backup's files into a platform bucket and announces the backup. */
async function platformBackup(world: World, files: Array<{ name: string; size: number }>) {
  const { s3, events } = platformClients(world.stack);
  const bucket = `platform-backups-bench-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const backupId = `bk-${randomBytes(4).toString('hex')}`;
  const prefix = `backups/${world.clusterId}/${backupId}/`;
  await inParallel(files, 32, async (file) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${file.name}`,
        Body: contentStream(`${backupId}:${file.name}`, file.size),
        ContentLength: file.size,
      }),
    );
  });
  const detail = {
    projectId: world.project.projectId,
    clusterId: world.clusterId,
    backupId,
    bucket,
    prefix,
    completedAt: new Date().toISOString(),
  };
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'platform.backups',
          DetailType: 'Backup Completed',
          Detail: JSON.stringify(detail),
          EventBusName: PLATFORM_EVENT_BUS,
        },
      ],
    }),
  );
  return { bucket, prefix, backupId };
}

/** POST .../export through the real handler in this process; answers the job's first message. */
async function queueExport(world: World, backupId: string, directory: string): Promise<string> {
  const { handler } = await import('#functions/start-backup-export/handler');
  const path = `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backups/${backupId}/export`;
  for (;;) {
    const event = {
      version: '2.0',
      routeKey: `POST ${path}`,
      rawPath: path,
      headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json' },
      pathParameters: { projectId: world.project.projectId, clusterId: world.clusterId, backupId },
      requestContext: { requestId: randomBytes(6).toString('hex'), http: { method: 'POST', path } },
      body: JSON.stringify({ integrationId: world.integration.integrationId, directory }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const answer = (await handler(event, { awsRequestId: 'bench' } as Context)) as APIGatewayProxyStructuredResultV2;
    if (answer.statusCode === 202) {
      const { jobId } = JSON.parse(String(answer.body)) as { jobId: string };
      return JSON.stringify({ projectId: world.project.projectId, jobId, turn: 0 });
    }
    if (answer.statusCode !== 404) throw new Error(`export request answered ${answer.statusCode}: ${answer.body}`);
    await sleep(50); // the backup's event is still being recorded
  }
}

/** Bundles a child's script as the deployment bundles functions (esbuild, ESM, node22), so it runs on plain node. */
async function bundleChild(dir: string, name: 'export-worker' | 'sdk-copy-loop'): Promise<string> {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, `support/${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    outfile,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

interface Run {
  ms: number;
  cpuMs: number;
  /** CPU time of the local stack's process while the copy ran. */
  stackCpuMs: number;
}

interface ExportRun extends Run {
  maxRssBytes: number;
}

/** Runs a bundled child script; answers the JSON line it prints last, with the stack's CPU time meanwhile. */
async function runChild<T extends object>(
  stack: BenchStack,
  bundle: string,
  args: string[],
): Promise<T & { stackCpuMs: number }> {
  const stackCpuBefore = cpuMsOf(stack.pid);
  const child = spawn(process.execPath, [bundle, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stackCpuMs = cpuMsOf(stack.pid) - stackCpuBefore;
  const line = output.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`${bundle} failed (exit ${code}): ${output.slice(-500)}`);
  return { ...(JSON.parse(line) as T), stackCpuMs };
}

async function runExport(stack: BenchStack, bundle: string, message: string): Promise<ExportRun> {
  const report = await runChild<ExportRun & { result: { batchItemFailures: unknown[] } }>(stack, bundle, [
    message,
    '900000',
  ]);
  if (report.result.batchItemFailures.length > 0) throw new Error('the export worker reported a failed message');
  return report;
}

/** The SDK alone copies the files, with the role credentials rclone gets. */
async function runSdkAlone(
  world: World,
  bundle: string,
  source: { bucket: string; prefix: string },
  destinationPrefix: string,
): Promise<Run> {
  const credentials = await assumedRole(world, destinationPrefix);
  const destination = {
    bucket: world.integration.bucketName,
    prefix: destinationPrefix,
    credentials: {
      accessKeyId: credentials?.AccessKeyId,
      secretAccessKey: credentials?.SecretAccessKey,
      sessionToken: credentials?.SessionToken,
    },
  };
  return runChild<Run>(world.stack, bundle, [JSON.stringify({ source, destination })]);
}

/** Credentials of the customer role as the export gets them: same role, external ID, a session policy on the folder. */
async function assumedRole(world: World, prefix: string) {
  const sts = new STSClient({
    endpoint: world.stack.awsUrl,
    region: REGION,
    credentials: await functionCredentials(world.stack, ['runExportJob']),
  });
  const { sessionPolicyFor } = await import('#shared/customer-bucket/session-policy');
  const { EXPORT_OBJECT_ACTIONS } = await import('#shared/exports/worker/customer-writes');
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: world.integration.roleArn,
      ExternalId: world.integration.externalId,
      RoleSessionName: `${world.integration.integrationId}-rclone`,
      Policy: JSON.stringify(
        sessionPolicyFor({
          bucketName: world.integration.bucketName,
          prefixes: [prefix],
          objectActions: EXPORT_OBJECT_ACTIONS,
        }),
      ),
      DurationSeconds: 3600,
    }),
  );
  return Credentials;
}

function ensureRclone(): void {
  if (spawnSync('rclone', ['version'], { stdio: 'ignore' }).status === 0) return;
  console.log('installing rclone (apt-get install -y rclone)...');
  if (spawnSync('apt-get', ['install', '-y', 'rclone'], { stdio: 'ignore' }).status !== 0)
    throw new Error('rclone is missing and could not be installed');
}

async function runRclone(
  world: World,
  source: { bucket: string; prefix: string },
  destinationPrefix: string,
): Promise<Run> {
  const credentials = await assumedRole(world, destinationPrefix);
  const remote = (name: string, keys: { id: string; secret: string; token?: string }) => ({
    [`RCLONE_CONFIG_${name}_TYPE`]: 's3',
    [`RCLONE_CONFIG_${name}_PROVIDER`]: 'Other',
    [`RCLONE_CONFIG_${name}_ENDPOINT`]: world.stack.awsUrl,
    [`RCLONE_CONFIG_${name}_REGION`]: REGION,
    [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: 'true',
    [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: keys.id,
    [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: keys.secret,
    ...(keys.token ? { [`RCLONE_CONFIG_${name}_SESSION_TOKEN`]: keys.token } : {}),
  });
  const platform = rootCredentials(PLATFORM_ACCOUNT);
  // AWS_CA_BUNDLE (set on this machine) breaks rclone's TLS setup; nothing here uses TLS anyway.
  const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env;
  const env = {
    PATH: inherited.PATH,
    HOME: inherited.HOME,
    ...remote('SRC', { id: platform.accessKeyId, secret: platform.secretAccessKey }),
    ...remote('DST', {
      id: credentials?.AccessKeyId ?? '',
      secret: credentials?.SecretAccessKey ?? '',
      token: credentials?.SessionToken,
    }),
  };
  // /usr/bin/time, when present, reports rclone's CPU time (to compare with the export's).
  const timed = existsSync('/usr/bin/time');
  const args = [
    'copy',
    `src:${source.bucket}/${source.prefix}`,
    `dst:${world.integration.bucketName}/${destinationPrefix}`,
    '--disable',
    'Copy',
    '--s3-no-check-bucket',
  ];
  const stackCpuBefore = cpuMsOf(world.stack.pid);
  const started = performance.now();
  const run = spawnSync(timed ? '/usr/bin/time' : 'rclone', timed ? ['-f', 'cpu %U %S', 'rclone', ...args] : args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  const stackCpuMs = cpuMsOf(world.stack.pid) - stackCpuBefore;
  if (run.status !== 0) throw new Error(`rclone failed: ${run.stderr.toString().slice(-800)}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr.toString());
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN, stackCpuMs };
}

/** Checks what the customer holds under a prefix (object count, and bytes when given): each copy is complete. */
async function expectCopied(world: World, prefix: string, objects: number, bytes: number | undefined): Promise<void> {
  const s3 = new S3Client({
    endpoint: world.stack.awsUrl,
    region: REGION,
    credentials: rootCredentials(world.integration.accountId),
    forcePathStyle: true,
  });
  let count = 0;
  let total = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: world.integration.bucketName, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      count += 1;
      total += object.Size ?? 0;
    }
    token = page.NextContinuationToken;
  } while (token);
  if (count !== objects || (bytes !== undefined && total !== bytes)) {
    throw new Error(
      `incomplete copy under ${prefix}: ${count} objects / ${total} bytes, expected ${objects}${bytes !== undefined ? ` / ${bytes}` : ''}`,
    );
  }
}

const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

const fastest = <T extends Run>(runs: T[]): T => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
const stackMsPerFile = (runs: Run[], files: number) => Math.min(...runs.map((run) => run.stackCpuMs)) / files;

async function main(): Promise<void> {
  ensureRclone();
  const stack = await startBenchStack({ LOCAL_LOG_LEVEL: 'WARN' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-export-'));
  try {
    const world = await setUp(stack);
    const worker = await bundleChild(dir, 'export-worker');
    const sdkLoop = await bundleChild(dir, 'sdk-copy-loop');
    const rows: string[] = [];
    for (const [index, testCase] of CASES.entries()) {
      if (process.env.BENCH_ONLY && !testCase.label.startsWith(`(${process.env.BENCH_ONLY})`)) continue;
      const bytes = testCase.files.reduce((sum, file) => sum + file.size, 0);
      const files = testCase.files.length;
      const source = await platformBackup(world, testCase.files);
      // Export and rclone (and the SDK alone) take turns, ROUNDS times each, and each keeps its
      // best run: on a shared machine, a burst of unrelated load then hurts no side's number.
      const ours: ExportRun[] = [];
      const theirs: Run[] = [];
      const sdkAlone: Run[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const directory = `bench/export-${index}-${round}`;
        ours.push(await runExport(stack, worker, await queueExport(world, source.backupId, directory)));
        await expectCopied(world, `${directory}/${world.clusterId}/${source.backupId}/`, files + 1, undefined);
        const rclonePrefix = `bench/rclone-${index}-${round}/`;
        theirs.push(await runRclone(world, source, rclonePrefix));
        await expectCopied(world, rclonePrefix, files, bytes);
        if (!testCase.requestBound) continue;
        const sdkPrefix = `bench/sdk-${index}-${round}/`;
        sdkAlone.push(await runSdkAlone(world, sdkLoop, source, sdkPrefix));
        await expectCopied(world, sdkPrefix, files, bytes);
      }
      const best = fastest(ours);
      const bestRclone = fastest(theirs);
      const ratio = mibPerSecond(bytes, best.ms) / mibPerSecond(bytes, bestRclone.ms);
      const target = TARGETS[index] ?? { ratio: 1 };
      const rssMiB = Math.max(...ours.map((run) => run.maxRssBytes)) / MiB;
      const rss =
        target.rssMiB === undefined
          ? `${rssMiB.toFixed(0)} MiB`
          : `${rssMiB.toFixed(0)} MiB (target < ${target.rssMiB}: ${rssMiB < target.rssMiB ? 'met' : 'MISSED'})`;
      const lines = [
        `${testCase.label}: export ${mibPerSecond(bytes, best.ms).toFixed(1)} MiB/s (${seconds(best.ms)}, CPU ${seconds(best.cpuMs)}), ` +
          `rclone ${mibPerSecond(bytes, bestRclone.ms).toFixed(1)} MiB/s (${seconds(bestRclone.ms)}, CPU ${seconds(bestRclone.cpuMs)}), ` +
          `ratio ${ratio.toFixed(2)} (target >= ${target.ratio}: ${ratio >= target.ratio ? 'met' : 'MISSED'}), export peak RSS ${rss}`,
        `all runs, export: ${ours.map((run) => seconds(run.ms)).join(', ')}; rclone: ${theirs.map((run) => seconds(run.ms)).join(', ')}`,
      ];
      if (testCase.requestBound) {
        const [exportStack, rcloneStack] = [stackMsPerFile(ours, files), stackMsPerFile(theirs, files)];
        const bestSdk = fastest(sdkAlone);
        lines.push(
          `local stack CPU per file: export ${exportStack.toFixed(2)} ms, rclone ${rcloneStack.toFixed(2)} ms ` +
            `(the stack busy ${percent(bestRclone.stackCpuMs / bestRclone.ms)} of rclone's best run); ` +
            `while the stack is the bottleneck, the ratio cannot exceed ${(rcloneStack / exportStack).toFixed(2)}`,
          `the AWS SDK alone (GetObject + PutObject, 32 in flight, nothing else): ${mibPerSecond(bytes, bestSdk.ms).toFixed(1)} MiB/s ` +
            `(${seconds(bestSdk.ms)}, CPU ${seconds(bestSdk.cpuMs)}), ratio to rclone ${(bestRclone.ms / bestSdk.ms).toFixed(2)}`,
        );
      }
      rows.push(lines.join('\n      '));
      console.log(rows.at(-1));
    }
    console.log(
      `\nbackup export vs rclone (local stack, ${QUICK ? 'quick' : 'full'} sizes):\n${rows.map((row) => `  ${row}`).join('\n')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
