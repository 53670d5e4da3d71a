/**
 * Backup export throughput on the local stack (its own, started for the bench), against rclone in
 * the same run:
 *
 *  (a) one 1 GiB file: export (default settings: K = 1) and rclone take turns for ROUNDS rounds;
 *      the ratio is the median of the rounds' ratios; peak RSS of each worker container.
 *  (b) 2,000 files of 64 KiB: the same, with the CPU time per file of the export's workers beside
 *      rclone's, the local stack's CPU per file for each side, and the AWS SDK alone.
 *  (c) the 1 GiB file of (a) with K = 1, 2 and 4 workers: wall time and the ratio to K = 1.
 *  WRU: the DynamoDB write units each export of (a) and (b) consumed (ConsumedCapacity, which
 *      DynamoDB Local answers as DynamoDB does), against 1.1 x parts + 0.5 x files + 100.
 *
 * The export: the real start handler queues the job in this process (its message parked, never run
 * by the stack); K warm worker containers (support/export-worker.ts, bundled by esbuild as for
 * deployment, each a process of its own) run every message the export sends, as SQS and Lambda
 * would (support/export-event-source.ts). rclone: `rclone copy` of the same files with the same
 * assumed-role credentials, streaming, its defaults (support/export-peers.ts).
 *
 *   npx tsx bench/export.ts [--quick]      (--quick: 128 MiB and 200 files, one round)
 *   BENCH_ONLY=a|b|c npx tsx bench/export.ts (one case only), BENCH_ROUNDS=<n> (rounds per case),
 *   BENCH_WORKER_LOGS=1 (the workers' INFO logs on stderr)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamodb } from '#shared/aws/clients';
import { isMultipart, partCountOf, partSizeFor } from '#shared/exports/part-layout';
import { countCapacity } from './support/dynamodb-capacity';
import { runOnContainers, type ContainerRun } from './support/export-event-source';
import { ensureRclone, runRclone, runSdkAlone, type Run } from './support/export-peers';
import { bundleChild, expectCopied, platformBackup, queueExport, setUp, type World } from './support/export-world';
import { startBenchStack } from './support/local-stack';
import { cpuMsOf } from './support/process-cpu';

const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const LARGE = {
  label: QUICK ? 'one 128 MiB file' : 'one 1 GiB file',
  files: [{ name: 'segment.bin', size: QUICK ? 128 * MiB : GiB }],
};
const SMALL = {
  label: QUICK ? '200 files of 64 KiB' : '2,000 files of 64 KiB',
  files: Array.from({ length: QUICK ? 200 : 2000 }, (_, index) => ({
    name: `data/part-${String(index).padStart(5, '0')}.bin`,
    size: 64 * 1024,
  })),
};
const WORKER_COUNTS = [1, 2, 4];
const RSS_TARGET_MiB = 256;
const only = process.env.BENCH_ONLY;
const chosen = (letter: string) => !only || only === letter;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

type Files = Array<{ name: string; size: number }>;
interface Backup {
  bucket: string;
  prefix: string;
  backupId: string;
}
interface ExportRun extends ContainerRun {
  /** Write units of the export's creation (the start handler, in this process) plus the workers'. */
  exportWriteUnits: number;
  /** Writes refused by their condition, creation's and the workers' (no units reported; AWS bills them). */
  refusedWrites: number;
  /** Write transactions cancelled by a condition, creation's and the workers'. */
  refusedTransactions: number;
  /** CPU time of the local stack's process while the workers ran. */
  stackCpuMs: number;
}

const creation = countCapacity(dynamodb);

/** One export of `backup` to `directory`, with `workers` warm containers and K set by EXPORT_GIB_PER_WORKER. */
async function runExport(
  world: World,
  bundle: string,
  backup: Backup,
  files: Files,
  directory: string,
  gibPerWorker?: number,
): Promise<ExportRun> {
  const before = { ...creation };
  const message = await queueExport(world, backup.backupId, directory);
  const createdWith = creation.writeUnits - before.writeUnits;
  const workers =
    gibPerWorker === undefined ? 1 : Math.ceil(files.reduce((sum, file) => sum + file.size, 0) / (gibPerWorker * GiB));
  const env = {
    ...process.env,
    POWERTOOLS_LOG_LEVEL: process.env.BENCH_WORKER_LOGS ? 'INFO' : 'WARN',
    ...(gibPerWorker === undefined ? {} : { EXPORT_GIB_PER_WORKER: String(gibPerWorker) }),
  };
  const stackCpuBefore = cpuMsOf(world.stack.pid);
  const run = await runOnContainers(bundle, env, message, workers);
  const stackCpuMs = cpuMsOf(world.stack.pid) - stackCpuBefore;
  await expectCopied(world, `${directory}/${world.clusterId}/${backup.backupId}/`, files.length + 1, undefined);
  return {
    ...run,
    exportWriteUnits: createdWith + run.writeUnits,
    refusedWrites: creation.failedConditionalWrites - before.failedConditionalWrites + run.failedConditionalWrites,
    refusedTransactions: creation.cancelledTransactions - before.cancelledTransactions + run.cancelledTransactions,
    stackCpuMs,
  };
}

/** The WRU target of issue 14: 1.1 x parts + 0.5 x files + 100. */
function wruTarget(files: Files): number {
  const parts = files.reduce(
    (sum, file) => sum + (isMultipart(file) ? partCountOf(file.size, partSizeFor(file.size)) : 0),
    0,
  );
  return 1.1 * parts + 0.5 * files.length + 100;
}

/**
 * The median export's write units as reported, plus its writes refused by their condition, which
 * report none but which AWS bills (at least 1 WRU each: the figure checked against the target is a
 * floor). Cancelled transactions are shown beside it, not added.
 */
function wruLine(runs: ExportRun[], files: Files): string {
  const billed = (run: ExportRun) => run.exportWriteUnits + run.refusedWrites;
  const middle = [...runs].sort((a, b) => billed(a) - billed(b))[Math.floor((runs.length - 1) / 2)];
  if (!middle) return 'DynamoDB writes per export: no run';
  const target = wruTarget(files);
  return (
    `DynamoDB writes per export: ${middle.exportWriteUnits.toFixed(1)} WRU reported + ` +
    `${middle.refusedWrites} refused conditional writes (billed, >= 1 WRU each) = ` +
    `>= ${billed(middle).toFixed(1)} WRU ` +
    `(target <= ${target.toFixed(1)}: ${met(billed(middle) <= target)}; ` +
    `${middle.refusedTransactions} transactions cancelled by a condition; ` +
    `reads ${median(runs.map((run) => run.readUnits)).toFixed(1)} RRU)`
  );
}

/** Export and rclone take turns, ROUNDS times: a burst of unrelated load on a shared machine hurts both sides alike. */
async function againstRclone(world: World, bundle: string, tag: string, files: Files) {
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const backup = await platformBackup(world, files);
  const ours: ExportRun[] = [];
  const theirs: Run[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    ours.push(await runExport(world, bundle, backup, files, `bench/export-${tag}-${round}`));
    const rclonePrefix = `bench/rclone-${tag}-${round}/`;
    theirs.push(await runRclone(world, backup, rclonePrefix));
    await expectCopied(world, rclonePrefix, files.length, bytes);
  }
  const ratios = ours.map((run, round) => (theirs[round]?.ms ?? Number.NaN) / run.ms);
  return { backup, bytes, ours, theirs, ratio: median(ratios), ratios };
}

function rateLine(
  label: string,
  bytes: number,
  ours: ExportRun[],
  theirs: Run[],
  ratio: number,
  ratios: number[],
  target: number,
): string {
  const [exportMs, rcloneMs] = [median(ours.map((run) => run.ms)), median(theirs.map((run) => run.ms))];
  return (
    `${label}: export ${mibPerSecond(bytes, exportMs).toFixed(1)} MiB/s (median ${seconds(exportMs)}), ` +
    `rclone ${mibPerSecond(bytes, rcloneMs).toFixed(1)} MiB/s ` +
    `(median ${seconds(rcloneMs)}); ratio ${ratio.toFixed(2)} as the median of ${ratios.length} rounds ` +
    `(${ratios.map((value) => value.toFixed(2)).join(', ')}; target >= ${target}: ${met(ratio >= target)}), ` +
    `${(rcloneMs / exportMs).toFixed(2)} as the ratio of the medians`
  );
}

async function caseA(world: World, bundle: string): Promise<{ lines: string[]; backup: Backup }> {
  const { backup, bytes, ours, theirs, ratio, ratios } = await againstRclone(world, bundle, 'a', LARGE.files);
  const rss = Math.max(...ours.flatMap((run) => run.maxRssBytes)) / MiB;
  return {
    backup,
    lines: [
      rateLine(`(a) ${LARGE.label}`, bytes, ours, theirs, ratio, ratios, 1.0),
      `peak RSS per worker: ${rss.toFixed(0)} MiB (target < ${RSS_TARGET_MiB}: ${met(rss < RSS_TARGET_MiB)})`,
      wruLine(ours, LARGE.files),
    ],
  };
}

async function caseB(world: World, bundle: string, sdkLoop: string): Promise<string[]> {
  const files = SMALL.files;
  const { backup, bytes, ours, theirs, ratio, ratios } = await againstRclone(world, bundle, 'b', files);
  const sdkPrefix = 'bench/sdk-b/';
  const sdk = await runSdkAlone(world, sdkLoop, backup, sdkPrefix);
  await expectCopied(world, sdkPrefix, files.length, bytes);
  const perFile = (ms: number) => `${(ms / files.length).toFixed(2)} ms`;
  const exportCpu = median(ours.map((run) => run.cpuMs));
  const rcloneCpu = median(theirs.map((run) => run.cpuMs));
  const [exportStack, rcloneStack] = [
    median(ours.map((run) => run.stackCpuMs)),
    median(theirs.map((run) => run.stackCpuMs)),
  ];
  return [
    rateLine(`(b) ${SMALL.label}`, bytes, ours, theirs, ratio, ratios, 1.5),
    `CPU per file: export ${perFile(exportCpu)}, rclone ${perFile(rcloneCpu)}; ` +
      `the local stack's CPU per file serving them: export ${perFile(exportStack)}, rclone ${perFile(rcloneStack)}`,
    `the AWS SDK alone (GetObject + PutObject, 32 in flight): ${mibPerSecond(bytes, sdk.ms).toFixed(1)} MiB/s ` +
      `(${seconds(sdk.ms)}), ratio to rclone's median ${(median(theirs.map((run) => run.ms)) / sdk.ms).toFixed(2)}`,
    wruLine(ours, files),
  ];
}

/** K = 1, 2, 4 on the file of (a): each round runs every K once, in turn; the median per K counts. */
async function caseC(world: World, bundle: string, backup: Backup): Promise<string[]> {
  const totalGiB = LARGE.files.reduce((sum, file) => sum + file.size, 0) / GiB;
  const times = new Map<number, number[]>(WORKER_COUNTS.map((workers) => [workers, []]));
  const rss = new Map<number, number>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const workers of WORKER_COUNTS) {
      const run = await runExport(
        world,
        bundle,
        backup,
        LARGE.files,
        `bench/workers-${workers}-${round}`,
        totalGiB / workers,
      );
      if (run.maxRssBytes.length !== workers)
        throw new Error(`expected ${workers} containers, ran ${run.maxRssBytes.length}`);
      times.get(workers)?.push(run.ms);
      rss.set(workers, Math.max(rss.get(workers) ?? 0, ...run.maxRssBytes));
    }
  }
  const base = median(times.get(1) ?? []);
  return WORKER_COUNTS.map((workers) => {
    const ms = median(times.get(workers) ?? []);
    return (
      `(c) ${LARGE.label}, K = ${workers}: ${seconds(ms)} (median of ${ROUNDS}), ` +
      `${mibPerSecond(LARGE.files[0]?.size ?? 0, ms).toFixed(1)} MiB/s, ${(base / ms).toFixed(2)}x K = 1; ` +
      `peak RSS per worker ${((rss.get(workers) ?? 0) / MiB).toFixed(0)} MiB`
    );
  });
}

async function main(): Promise<void> {
  ensureRclone();
  const stack = await startBenchStack({ LOCAL_LOG_LEVEL: 'WARN' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-export-'));
  const rows: string[] = [];
  const print = (lines: string[]) => {
    rows.push(...lines);
    for (const line of lines) console.log(line);
  };
  try {
    const world = await setUp(stack);
    const worker = await bundleChild(dir, 'export-worker');
    const sdkLoop = await bundleChild(dir, 'sdk-copy-loop');
    let large: Backup | undefined;
    if (chosen('a')) {
      const a = await caseA(world, worker);
      large = a.backup;
      print(a.lines);
    }
    if (chosen('b')) print(await caseB(world, worker, sdkLoop));
    if (chosen('c')) print(await caseC(world, worker, large ?? (await platformBackup(world, LARGE.files))));
    console.log(
      `\nbackup export vs rclone (local stack, ${QUICK ? 'quick' : 'full'} sizes, ${ROUNDS} round(s)):\n` +
        `${rows.map((row) => `  ${row}`).join('\n')}`,
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
