/**
 * Runs the service's Lambda handlers, each in its sandbox (sandboxes.ts: a worker thread of its
 * own in the stack), loaded once at start (one warm sandbox per function). Every invocation gets
 * a Lambda-shaped context whose `getRemainingTimeInMillis` counts down the function's `timeout`.
 * Events and results pass through JSON as they do in Lambda, so a handler cannot depend on
 * sharing objects with its caller.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { InvocationInfo } from '#runtime/lambda-context';
import { inThreadSandboxes, type Sandbox, type SandboxFactory } from '#runtime/sandboxes';
import { functionArn, type FunctionSpec, type LocalService } from '#runtime/service-model';

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
  private readonly sandboxes = new Map<string, Sandbox>();

  /** In-thread sandboxes unless told otherwise: the stack passes worker sandboxes. */
  constructor(
    readonly service: LocalService,
    sandboxFor: SandboxFactory = inThreadSandboxes,
  ) {
    for (const fn of service.functions) this.sandboxes.set(fn.key, sandboxFor(fn));
  }

  /** Loads every handler now, so a broken module stops the start instead of the first request. */
  async loadAll(): Promise<void> {
    await Promise.all([...this.sandboxes.values()].map((sandbox) => sandbox.start()));
  }

  /** Changes variables of one function's environment, e.g. its renewed session. */
  updateEnvironment(key: string, variables: Record<string, string>): void {
    this.sandboxOf(key).updateEnvironment(variables);
  }

  async close(): Promise<void> {
    await Promise.all([...this.sandboxes.values()].map((sandbox) => sandbox.close()));
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
    const sandbox = this.sandboxOf(fn.key);
    let requestId = 'none (the sandbox did not start)';
    let timer: NodeJS.Timeout | undefined;
    try {
      // A cold start comes first, as Lambda's init phase does: its time is not the function's.
      await sandbox.start();
      const info = this.invocationInfo(fn);
      requestId = info.awsRequestId;
      const started = Date.now();
      const run = sandbox.invoke(event, info);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaTimeoutError((Date.now() - started) / 1000)),
          fn.timeoutSeconds * 1000,
        );
      });
      // A timed-out handler keeps running in the background here (Lambda would freeze it);
      // its late failure must not surface as an unhandled rejection.
      run.catch(() => undefined);
      return await Promise.race([run, timeout]);
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      console.error(`[local] ${fn.key} (${options.trigger}) failed, requestId ${requestId}: ${name}: ${message}`);
      if (process.env.LOCAL_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private sandboxOf(key: string): Sandbox {
    const sandbox = this.sandboxes.get(key);
    if (!sandbox) throw new Error(`No function ${key} in serverless.yml.`);
    return sandbox;
  }

  private invocationInfo(fn: FunctionSpec): InvocationInfo {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    return {
      functionName: fn.name,
      invokedFunctionArn: this.arnOf(fn),
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      deadline: Date.now() + fn.timeoutSeconds * 1000,
    };
  }
}
