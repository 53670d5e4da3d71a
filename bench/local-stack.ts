/**
 * What the local stack itself costs: the time `npm start` takes until everything answers, the
 * memory (RSS) of its Node process once idle and after some traffic, and the overhead of one
 * function invocation through the local HTTP API. The peer for the invocation is the AWS endpoint's
 * own health route on the same stack: the same loopback HTTP round trip, with no function behind it.
 *
 *   npx tsx bench/local-stack.ts            # 3 starts, 300 invocations each
 *   npx tsx bench/local-stack.ts --quick    # 1 start, 100 invocations
 *
 * Prints medians (and p90 for invocations); the ratio is function call / endpoint call.
 */
import { readFileSync } from 'node:fs';
import { startBenchStack, sleep, type BenchStack } from './support/local-stack';

const quick = process.argv.includes('--quick');
const STARTS = quick ? 1 : 3;
const CALLS = quick ? 100 : 300;

interface Sample {
  startMs: number;
  idleRssMb: number;
  busyRssMb: number;
  functionMs: number[];
  endpointMs: number[];
}

/** Resident memory of a process (its worker threads included), from /proc. Linux only. */
function rssMbOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

async function sampleOnce(): Promise<Sample> {
  const started = performance.now();
  const stack: BenchStack = await startBenchStack();
  const startMs = performance.now() - started;
  try {
    await sleep(2000);
    const idleRssMb = rssMbOf(stack.pid);
    const functionMs: number[] = [];
    const endpointMs: number[] = [];
    // Warm both paths first: the first call of a function is its cold start, not its overhead.
    await timed(`${stack.apiUrl}/v1/health`);
    await timed(`${stack.awsUrl}/_local/health`);
    for (let call = 0; call < CALLS; call += 1) {
      functionMs.push(await timed(`${stack.apiUrl}/v1/health`));
      endpointMs.push(await timed(`${stack.awsUrl}/_local/health`));
    }
    return { startMs, idleRssMb, busyRssMb: rssMbOf(stack.pid), functionMs, endpointMs };
  } finally {
    await stack.stop();
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
};
const median = (values: number[]) => percentile(values, 0.5);

async function main(): Promise<void> {
  const samples: Sample[] = [];
  for (let run = 0; run < STARTS; run += 1) samples.push(await sampleOnce());
  const functionMs = samples.flatMap((sample) => sample.functionMs);
  const endpointMs = samples.flatMap((sample) => sample.endpointMs);
  console.log(
    `start-up (spawn to ready)   median ${(median(samples.map((s) => s.startMs)) / 1000).toFixed(1)} s ` +
      `over ${STARTS} start(s)`,
  );
  console.log(
    `RSS of the stack process    idle ${median(samples.map((s) => s.idleRssMb)).toFixed(0)} MB, ` +
      `after ${CALLS * 2} calls ${median(samples.map((s) => s.busyRssMb)).toFixed(0)} MB`,
  );
  console.log(
    `GET /v1/health (function)   median ${median(functionMs).toFixed(2)} ms, ` +
      `p90 ${percentile(functionMs, 0.9).toFixed(2)} ms`,
  );
  console.log(
    `GET /_local/health (peer)   median ${median(endpointMs).toFixed(2)} ms, ` +
      `p90 ${percentile(endpointMs, 0.9).toFixed(2)} ms`,
  );
  console.log(`invocation overhead ratio   ${(median(functionMs) / median(endpointMs)).toFixed(2)}x the peer (median)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
