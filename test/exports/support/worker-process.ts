/**
 * One invocation of the export worker in a process of its own, so that a test can kill it
 * mid-copy (SIGKILL: no cleanup, no finally blocks, exactly like a crashed Lambda sandbox).
 * Usage: node --import tsx worker-process.ts '<message body>' <remaining ms>
 * The environment (endpoints, table, queue) is inherited from the test process.
 */
import { handler } from '#functions/run-export-job/handler';
import { lambdaContext, sqsEvent } from './lambda-events';

const [body, remainingMs] = process.argv.slice(2);
if (!body || !remainingMs) throw new Error('usage: worker-process.ts <message body> <remaining ms>');
const result = await handler(sqsEvent(body), lambdaContext(Number(remainingMs)));
process.stdout.write(`${JSON.stringify(result)}\n`);
