/**
 * What a handler receives besides its event, built the same way in the stack's worker threads and
 * in the runtime tests' own thread: Lambda's context object, whose `getRemainingTimeInMillis`
 * counts down to the invocation's deadline, and the call itself, which supports async handlers
 * and, like the nodejs22.x runtime, callback-style ones.
 */
import type { Context } from 'aws-lambda';

export type Handler = (
  event: unknown,
  context: Context,
  callback?: (error?: unknown, result?: unknown) => void,
) => unknown;

/** The serializable part of a context: what crosses into a worker thread. */
export interface InvocationInfo {
  functionName: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  /** Epoch milliseconds at which the invocation times out. */
  deadline: number;
}

export function lambdaContext(info: InvocationInfo): Context {
  const unsupported = (): never => {
    throw new Error('context.done/succeed/fail are not supported: return a promise from the handler.');
  };
  const { deadline, ...fields } = info;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionVersion: '$LATEST',
    ...fields,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Supports async handlers and, like the nodejs22.x runtime, callback-style ones. */
export function callHandler(handler: Handler, event: unknown, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown): void => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

/** An error as it crosses threads: structured cloning keeps only the standard error names. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error)
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}

/** The error again, under its own name (Step Functions' Retry and Catch match on it). */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

/** Lambda serialises events and results as JSON; `undefined` becomes `null`. */
export function roundTrip(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** Loads a handler module and finds its export; the error names the function and what is wrong. */
export async function loadHandler(functionKey: string, moduleUrl: string, exportName: string): Promise<Handler> {
  const module = (await import(moduleUrl)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function')
    throw new Error(`functions.${functionKey}: ${moduleUrl} does not export a function named "${exportName}".`);
  return handler as Handler;
}
