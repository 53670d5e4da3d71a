/**
 * Runs every `schedule` event (and `eventBridge` event with a `schedule`) of serverless.yml.
 * Locally a schedule fires on its rate but at least once a minute (docs/product-contract.md §7), or every
 * `intervalSeconds` when set (tests). A run of a function never overlaps the previous one: a tick
 * that finds it still running is skipped, and the next tick retries a failed run.
 */
import { randomUUID } from 'node:crypto';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { LocalFunctions } from '#runtime/functions';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import type { FunctionSpec } from '#runtime/service-model';

export interface Schedule {
  fn: FunctionSpec;
  ruleName: string;
  expression: string;
  intervalMs: number;
  /** A constant `input` replaces the Scheduled Event envelope, as in AWS. */
  input?: unknown;
}

const AT_LEAST_EVERY_MS = 60_000;
const RATE_UNITS_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export class LocalSchedules {
  readonly schedules: Schedule[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly cloudFormation: LocalCloudFormation,
    private readonly functions: LocalFunctions,
    intervalSeconds?: number,
  ) {
    this.schedules = readSchedules(cloudFormation, intervalSeconds);
  }

  start(): void {
    for (const schedule of this.schedules) {
      this.timers.push(setInterval(() => this.fire(schedule), schedule.intervalMs));
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([...this.running.values()]);
  }

  /** The Scheduled Event EventBridge sends to a rule's targets. */
  scheduledEvent(schedule: Schedule): unknown {
    if (schedule.input !== undefined) return schedule.input;
    const { region, accountId } = this.cloudFormation.service;
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: accountId,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: [`arn:aws:events:${region}:${accountId}:rule/${schedule.ruleName}`],
      detail: {},
    };
  }

  /** One tick: runs the function unless its previous run is still going. */
  fire(schedule: Schedule): Promise<void> {
    const key = schedule.fn.key;
    const previous = this.running.get(key);
    if (previous) return previous;
    const run = this.functions
      .invoke(schedule.fn, this.scheduledEvent(schedule), { trigger: `schedule ${schedule.expression}` })
      .then(
        () => undefined,
        () => undefined, // logged by the invoker; the next tick is the retry
      )
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }
}

function readSchedules(cloudFormation: LocalCloudFormation, intervalSeconds: number | undefined): Schedule[] {
  const schedules: Schedule[] = [];
  for (const fn of cloudFormation.service.functions) {
    fn.events.forEach((event, index) => {
      const where = `functions.${fn.key}.events[${index}]`;
      let spec: Yaml | undefined;
      if ('schedule' in event) spec = cloudFormation.resolve(event.schedule ?? null, `${where}.schedule`);
      else if (isMap(event.eventBridge) && event.eventBridge.schedule !== undefined)
        spec = cloudFormation.resolve(event.eventBridge, `${where}.eventBridge`);
      else return;
      const options = isMap(spec) ? spec : { rate: spec ?? null };
      if (options.enabled === false) return;
      if (options.inputPath !== undefined || options.inputTransformer !== undefined) {
        throw new Error(`${where}: inputPath and inputTransformer are not supported locally.`);
      }
      const expressions = Array.isArray(options.rate) ? options.rate : [options.rate ?? options.schedule ?? null];
      expressions.forEach((expression, position) => {
        const text = String(expression);
        const input = typeof options.input === 'string' ? (JSON.parse(options.input) as unknown) : options.input;
        schedules.push({
          fn,
          ruleName:
            typeof options.name === 'string' ? options.name : `${fn.name}-schedule-${index + 1}-${position + 1}`,
          expression: text,
          intervalMs:
            intervalSeconds !== undefined ? intervalSeconds * 1000 : Math.min(AT_LEAST_EVERY_MS, periodMs(text, where)),
          ...(input !== undefined ? { input } : {}),
        });
      });
    });
  }
  return schedules;
}

/** `rate(5 minutes)` -> 300000; a cron expression fires at most once a minute. */
export function periodMs(expression: string, where: string): number {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) return Number(rate[1]) * (RATE_UNITS_MS[(rate[2] ?? '').replace(/s$/, '')] ?? 0);
  if (/^cron\((\S+\s+){5}\S+\)$/.test(expression.trim())) return AT_LEAST_EVERY_MS;
  throw new Error(`${where}: "${expression}" is neither rate(...) nor cron(...) with six fields.`);
}
