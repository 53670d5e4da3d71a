/**
 * Lambda's asynchronous invocation, as EventBridge uses it: the caller does not wait, a failing
 * invocation is retried (the function's `maximumRetryAttempts`, 2 by default) with growing pauses,
 * and an event that still fails is dead-lettered. Locally the pauses are seconds, not minutes,
 * and a dead-lettered event is logged by id (never its content).
 */
import type { LocalFunctions } from '#runtime/functions';
import type { FunctionSpec } from '#runtime/service-model';

export interface AsyncInvokerOptions {
  /** The first retry's pause; each later one doubles it. */
  retryDelayMs?: number;
}

export interface DeadLetter {
  functionKey: string;
  eventId: string;
  attempts: number;
  error: string;
}

export class AsyncInvoker {
  private readonly inFlight = new Set<Promise<void>>();
  /** Pending retry pauses; closing ends them early so nothing waits on a stopped stack. */
  private readonly pauses = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  readonly deadLetters: DeadLetter[] = [];

  constructor(
    private readonly functions: LocalFunctions,
    private readonly options: AsyncInvokerOptions = {},
  ) {}

  /** Queues one invocation and returns at once, as `InvocationType: Event` does. */
  invoke(fn: FunctionSpec, event: unknown, eventId: string, trigger: string): void {
    if (this.closed) return;
    const delivery = this.deliver(fn, event, eventId, trigger).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves once every queued invocation, retries included, has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    for (const [timer, resolve] of this.pauses) {
      clearTimeout(timer);
      resolve();
    }
    this.pauses.clear();
  }

  private async deliver(fn: FunctionSpec, event: unknown, eventId: string, trigger: string): Promise<void> {
    const attempts = 1 + Math.max(0, Math.min(2, fn.maximumRetryAttempts));
    const baseDelay = this.options.retryDelayMs ?? 1000;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (this.closed) return;
      try {
        await this.functions.invoke(fn, event, { trigger });
        return;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (attempt < attempts) await this.pause(baseDelay * 2 ** (attempt - 1));
      }
    }
    this.deadLetters.push({ functionKey: fn.key, eventId, attempts, error: lastError });
    console.error(`[local] dead-lettered event ${eventId} for ${fn.key} after ${attempts} attempts: ${lastError}`);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pauses.delete(timer);
        resolve();
      }, ms);
      this.pauses.set(timer, resolve);
    });
  }
}
