/**
 * Plays Lambda's event source mapping for the export queue inside the test process: every message
 * the handlers sent (parked by parkExportMessages, in-process.ts) goes to an invocation of the real
 * worker handler, up to `concurrency` invocations at once, each with the time budget the test
 * chooses, until the job has ended and nothing runs. Records each invocation's message and time
 * window, so a test can tell how many worked at once.
 */
import type { Context } from 'aws-lambda';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { lambdaContext, sqsEvent } from './lambda-events';

export interface Delivery {
  body: string;
  startedAt: number;
  endedAt: number;
}

export interface EventSourceOptions {
  /** The messages sent so far (parked.sent): new ones are read from it as they arrive. */
  sent: string[];
  /** Index in `sent` of the first message to deliver. */
  from: number;
  jobId: string;
  concurrency: number;
  remainingMs: number;
  /** True once the job has ended. */
  ended: () => Promise<boolean>;
  timeoutMs?: number;
}

export async function deliverExportMessages(options: EventSourceOptions): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const running = new Set<Promise<void>>();
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let next = options.from;
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(`the export did not end within the time allowed (${deliveries.length} deliveries)`);
    const body = options.sent[next];
    if (body !== undefined && !body.includes(options.jobId)) {
      next += 1;
      continue;
    }
    if (body !== undefined && running.size < options.concurrency) {
      next += 1;
      const delivery: Delivery = { body, startedAt: Date.now(), endedAt: 0 };
      deliveries.push(delivery);
      const run = runExportJob(sqsEvent(body), lambdaContext(options.remainingMs) as Context).then((result) => {
        delivery.endedAt = Date.now();
        running.delete(run);
        if (result.batchItemFailures.length > 0) throw new Error(`the worker reported a failed message: ${body}`);
      });
      running.add(run);
      continue;
    }
    if (running.size === 0 && body === undefined && (await options.ended())) return deliveries;
    await Promise.race([...running, new Promise((resolve) => setTimeout(resolve, 25))]);
  }
}

/** The most deliveries that ran at the same moment. */
export function mostAtOnce(deliveries: Delivery[]): number {
  const edges = deliveries.flatMap((delivery) => [
    { at: delivery.startedAt, change: 1 },
    { at: delivery.endedAt, change: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.change;
    most = Math.max(most, current);
  }
  return most;
}
