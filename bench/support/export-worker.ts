/**
 * One invocation of the export worker for bench/export.ts, bundled with esbuild as the deployment
 * bundles it and run with plain node in a process of its own, so that its peak RSS is the
 * worker's own. Prints {ms, maxRssBytes, result} as one JSON line.
 *   node export-worker.mjs '<message body>' <remaining ms>
 * Configuration comes from the environment (the stack's function environment).
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import { handler } from '#functions/run-export-job/handler';

const [body, remaining] = process.argv.slice(2);
if (!body || !remaining) throw new Error('usage: export-worker <message body> <remaining ms>');
const deadline = Date.now() + Number(remaining);
const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
const event = {
  Records: [{ messageId: randomUUID(), body, attributes: {}, messageAttributes: {} }],
} as unknown as SQSEvent;

const started = performance.now();
const result = await handler(event, context);
const ms = performance.now() - started;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024, result })}\n`,
);
