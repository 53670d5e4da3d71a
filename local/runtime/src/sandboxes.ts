/**
 * Where a function's handler runs. The stack gives each function a worker thread of its own
 * (WorkerSandbox) running its bundle (function-bundles.ts): its own process.env (the function's
 * variables and its role's credentials, which the AWS SDK reads from there), its own module
 * instances (clients, caches, configuration), a heap limited to the function's memorySize, as a
 * Lambda sandbox has. Like Lambda's, a sandbox starts on the function's first invocation (the
 * cold start, which does not count against the timeout), is reclaimed after ten idle minutes,
 * and a worker that dies (an unhandled rejection, a crash) fails what it was running and is
 * started afresh on the next invocation.
 *
 * InThreadSandbox imports the handler's source into the calling thread, with that thread's
 * environment: the runtime's own tests use it to watch fixture handlers from inside.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FunctionBundles } from '#runtime/function-bundles';
import type { FromWorker, ToWorker, WorkerData } from '#runtime/function-worker';
import {
  callHandler,
  deserializeError,
  lambdaContext,
  loadHandler,
  roundTrip,
  type Handler,
  type InvocationInfo,
} from '#runtime/lambda-context';
import type { FunctionSpec } from '#runtime/service-model';

export interface Sandbox {
  /** Loads the handler (the cold start); invoke() calls it, loadAll() may call it ahead. */
  start(): Promise<void>;
  invoke(event: unknown, info: InvocationInfo): Promise<unknown>;
  /** Changes variables of the function's environment (a renewed session). */
  updateEnvironment(variables: Record<string, string>): void;
  close(): Promise<void>;
}

export type SandboxFactory = (fn: FunctionSpec) => Sandbox;

export const inThreadSandboxes: SandboxFactory = (fn) => new InThreadSandbox(fn);

/** Worker sandboxes running the functions' bundles, each with the environment `environmentOf` gives its function. */
export const workerSandboxes =
  (bundles: FunctionBundles, environmentOf: (fn: FunctionSpec) => Record<string, string>): SandboxFactory =>
  (fn) => {
    const bundle = bundles.bundles.get(fn.key);
    if (!bundle) throw new Error(`No bundle for function ${fn.key}.`);
    return new WorkerSandbox(fn, { workerEntry: bundles.workerEntry, bundle }, environmentOf(fn));
  };

/** How long Lambda keeps an unused sandbox, roughly: then its memory is given back. */
const IDLE_MS = 10 * 60 * 1000;

class InThreadSandbox implements Sandbox {
  private handler: Handler | undefined;

  constructor(private readonly fn: FunctionSpec) {}

  async start(): Promise<void> {
    this.handler ??= await loadHandler(this.fn.key, pathToFileURL(this.fn.modulePath).href, this.fn.exportName);
  }

  async invoke(event: unknown, info: InvocationInfo): Promise<unknown> {
    if (!this.handler) throw new Error(`Function ${this.fn.key} is not loaded.`);
    return roundTrip(await callHandler(this.handler, roundTrip(event), lambdaContext(info)));
  }

  updateEnvironment(): void {
    throw new Error('An in-thread sandbox shares the environment of its thread.');
  }

  async close(): Promise<void> {}
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

class WorkerSandbox implements Sandbox {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fn: FunctionSpec,
    private readonly code: { workerEntry: string; bundle: string },
    private readonly environment: Record<string, string>,
  ) {}

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`Function ${this.fn.key} is shut down.`));
    this.ready ??= this.spawn();
    return this.ready;
  }

  async invoke(event: unknown, info: InvocationInfo): Promise<unknown> {
    await this.start();
    const worker = this.worker as Worker;
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    const result = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const message: ToWorker = { type: 'invoke', id, event: JSON.stringify(event ?? null), info };
    worker.postMessage(message);
    return result.finally(() => this.scheduleIdleStop(worker));
  }

  updateEnvironment(variables: Record<string, string>): void {
    Object.assign(this.environment, variables);
    const message: ToWorker = { type: 'environment', variables };
    this.worker?.postMessage(message);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** Gives back an idle sandbox's memory; the next invocation is a cold start again. */
  private scheduleIdleStop(worker: Worker): void {
    if (this.pending.size > 0 || this.worker !== worker) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size > 0 || this.worker !== worker) return;
      this.worker = undefined;
      this.ready = undefined;
      void worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private spawn(): Promise<void> {
    const workerData: WorkerData = {
      functionKey: this.fn.key,
      moduleUrl: pathToFileURL(this.code.bundle).href,
      exportName: this.fn.exportName,
    };
    const worker = new Worker(this.code.workerEntry, {
      workerData,
      // A copy, so a later change of this.environment reaches the worker only through a message.
      env: { ...this.environment },
      // Plain JavaScript: no loader; stack traces through the bundles' source maps.
      execArgv: ['--enable-source-maps'],
      resourceLimits: { maxOldGenerationSizeMb: this.fn.memorySize },
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') return resolve();
        if (message.type === 'load-failed') return reject(deserializeError(message.error));
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.type === 'result') pending?.resolve(JSON.parse(message.result));
        else pending?.reject(deserializeError(message.error));
      });
      const died = (error: Error) => {
        reject(error);
        this.forget(worker, error);
      };
      worker.on('error', died);
      worker.on('exit', (code) => died(new Error(`The sandbox of ${this.fn.key} exited (code ${code}).`)));
    });
  }

  /** After a crash: fail what ran there; the next invocation starts a fresh worker. */
  private forget(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(error);
    }
    if (!this.closed) console.error(`[local] the sandbox of ${this.fn.key} stopped: ${error.name}: ${error.message}`);
  }
}
