/**
 * The inside of a function's worker thread (sandboxes.ts): imports the handler once, then runs
 * each invocation the main thread posts and posts back its result or error. The thread's
 * process.env is the function's own (its variables and its role's session), updated in place when
 * the session is renewed, so the AWS SDK's environment credentials pick up the new session.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  callHandler,
  lambdaContext,
  loadHandler,
  serializeError,
  type Handler,
  type InvocationInfo,
  type SerializedError,
} from '#runtime/lambda-context';

export interface WorkerData {
  functionKey: string;
  moduleUrl: string;
  exportName: string;
}

export type ToWorker =
  | { type: 'invoke'; id: number; event: string; info: InvocationInfo }
  | { type: 'environment'; variables: Record<string, string> };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; result: string }
  | { type: 'failed'; id: number; error: SerializedError };

const port = parentPort;
const post = (message: FromWorker) => port?.postMessage(message);

async function run(): Promise<void> {
  const { functionKey, moduleUrl, exportName } = workerData as WorkerData;
  let handler: Handler;
  try {
    handler = await loadHandler(functionKey, moduleUrl, exportName);
  } catch (error) {
    post({ type: 'load-failed', error: serializeError(error) });
    return;
  }
  port?.on('message', (message: ToWorker) => {
    if (message.type === 'environment') {
      Object.assign(process.env, message.variables);
      return;
    }
    void invoke(handler, message);
  });
  post({ type: 'ready' });
}

async function invoke(handler: Handler, message: Extract<ToWorker, { type: 'invoke' }>): Promise<void> {
  try {
    const result = await callHandler(handler, JSON.parse(message.event), lambdaContext(message.info));
    post({ type: 'result', id: message.id, result: JSON.stringify(result ?? null) });
  } catch (error) {
    post({ type: 'failed', id: message.id, error: serializeError(error) });
  }
}

if (port) void run();
