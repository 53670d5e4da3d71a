/**
 * Runs the service's Lambda handlers in this process. Each handler module is imported once (one
 * warm sandbox per function) and every invocation gets a Lambda-shaped context whose
 * `getRemainingTimeInMillis` counts down the function's `timeout`. Events and results pass through
 * JSON as they do in Lambda, so a handler cannot depend on sharing objects with its caller.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { functionArn, type FunctionSpec, type LocalService } from '#local/runtime/service-model';

type Handler = (event: unknown, context: Context, callback?: (error?: unknown, result?: unknown) => void) => unknown;

/** The error Lambda reports when an invocation runs past the function's timeout. */
export class LambdaTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

export interface InvokeOptions {
  /** Shown in the logs: which trigger called the function. */
  trigger: string;
}

export class LocalFunctions {
  private readonly handlers = new Map<string, Handler>();

  constructor(readonly service: LocalService) {}

  /** Imports every handler now, so a broken module stops the start instead of the first request. */
  async loadAll(): Promise<void> {
    await Promise.all(
      this.service.functions.map(async (fn) => {
        const module = (await import(pathToFileURL(fn.modulePath).href)) as Record<string, unknown>;
        const handler = module[fn.exportName];
        if (typeof handler !== 'function') {
          throw new Error(`functions.${fn.key}: ${fn.modulePath} does not export a function named "${fn.exportName}".`);
        }
        this.handlers.set(fn.key, handler as Handler);
      }),
    );
  }

  get(key: string): FunctionSpec {
    const fn = this.service.functions.find((candidate) => candidate.key === key);
    if (!fn) throw new Error(`No function ${key} in serverless.yml.`);
    return fn;
  }

  /** Finds a function by name, ARN (with or without version or alias) or partial ARN, as Lambda does. */
  find(nameOrArn: string): FunctionSpec | undefined {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] : nameOrArn.split(':')[0];
    return this.service.functions.find((fn) => fn.name === name);
  }

  arnOf(fn: FunctionSpec): string {
    return functionArn(this.service, fn);
  }

  async invoke(fn: FunctionSpec, event: unknown, options: InvokeOptions): Promise<unknown> {
    const handler = this.handlers.get(fn.key);
    if (!handler) throw new Error(`Function ${fn.key} is not loaded.`);
    const context = this.lambdaContext(fn);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = callHandler(handler, roundTrip(event), context);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LambdaTimeoutError((Date.now() - started) / 1000)), fn.timeoutSeconds * 1000);
      });
      // A timed-out handler keeps running in the background here (Lambda would freeze it);
      // its late failure must not surface as an unhandled rejection.
      run.catch(() => undefined);
      return roundTrip(await Promise.race([run, timeout]));
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      console.error(`[local] ${fn.key} (${options.trigger}) failed, requestId ${context.awsRequestId}: ${name}: ${message}`);
      if (process.env.LOCAL_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private lambdaContext(fn: FunctionSpec): Context {
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    const unsupported = (): never => {
      throw new Error('context.done/succeed/fail are not supported: return a promise from the handler.');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.arnOf(fn),
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }
}

/** Supports async handlers and, like the nodejs22.x runtime, callback-style ones. */
function callHandler(handler: Handler, event: unknown, context: Context): Promise<unknown> {
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

/** Lambda serialises events and results as JSON; `undefined` becomes `null`. */
function roundTrip(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
