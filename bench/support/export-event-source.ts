/**
 * Plays SQS and Lambda's event source mapping for bench/export.ts: K warm worker containers
 * (support/export-worker.ts, each a process of its own) and the messages the export sends, each
 * handed to the next idle container, until no message is left and every container is idle. Answers
 * the run's wall time, the containers' CPU time, each one's peak RSS, and the DynamoDB capacity
 * the containers consumed.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { Capacity } from './dynamodb-capacity';

export interface ContainerRun extends Capacity {
  ms: number;
  cpuMs: number;
  maxRssBytes: number[];
  invocations: number;
}

interface Report extends Capacity {
  ms: number;
  cpuMs: number;
  maxRssBytes: number;
  sent: string[];
  failures: number;
}

class Container {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly reports: Array<(report: Report) => void> = [];
  last: Report | undefined;
  readonly ready: Promise<void>;

  constructor(bundle: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [bundle], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let loaded: () => void = () => undefined;
    this.ready = new Promise((resolve) => (loaded = resolve));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      // Anything but the container's own report is the worker's logging: passed on to stderr.
      if (!line.startsWith('{"bench":')) return void process.stderr.write(`${line}\n`);
      const parsed = (JSON.parse(line) as { bench: Report | { ready: true } }).bench;
      if ('ready' in parsed) return loaded();
      this.last = parsed;
      this.reports.shift()?.(parsed);
    });
  }

  invoke(body: string, remainingMs: number): Promise<Report> {
    return new Promise((resolve) => {
      this.reports.push(resolve);
      this.child.stdin.write(`${JSON.stringify({ body, remainingMs })}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
  }
}

export async function runOnContainers(
  bundle: string,
  env: NodeJS.ProcessEnv,
  firstMessage: string,
  containers: number,
  remainingMs = 900_000,
): Promise<ContainerRun> {
  const pool = Array.from({ length: containers }, () => new Container(bundle, env));
  const idle = [...pool];
  const queue = [firstMessage];
  const running = new Set<Promise<void>>();
  let invocations = 0;
  let cpuMs = 0;
  await Promise.all(pool.map((container) => container.ready));
  const started = performance.now();
  try {
    while (queue.length > 0 || running.size > 0) {
      const container = idle.shift();
      const body = container ? queue.shift() : undefined;
      if (container && body !== undefined) {
        invocations += 1;
        const run = container.invoke(body, remainingMs).then((report) => {
          if (report.failures > 0) throw new Error('the export worker reported a failed message');
          cpuMs += report.cpuMs;
          queue.push(...report.sent);
          idle.push(container);
          running.delete(run);
        });
        running.add(run);
        continue;
      }
      if (container) idle.unshift(container);
      await Promise.race(running);
    }
    const ms = performance.now() - started;
    const reports = pool.flatMap((container) => (container.last ? [container.last] : []));
    return {
      ms,
      cpuMs,
      maxRssBytes: reports.map((report) => report.maxRssBytes),
      invocations,
      writeUnits: reports.reduce((sum, report) => sum + report.writeUnits, 0),
      readUnits: reports.reduce((sum, report) => sum + report.readUnits, 0),
      failedConditionalWrites: reports.reduce((sum, report) => sum + report.failedConditionalWrites, 0),
      cancelledTransactions: reports.reduce((sum, report) => sum + report.cancelledTransactions, 0),
    };
  } finally {
    for (const container of pool) container.stop();
  }
}
