/**
 * A lane: one of the K workers of an export, copying units w, w+K, w+2K, ... in turn (unit-ranges.ts).
 * One invocation runs its lane from the unit it was given until the lane's last unit is done, its
 * time is up, or something stops it. It holds a unit lease for every unit it works on, takes the
 * next unit's lease while the current unit's last parts are in flight (so the pipe stays full), and
 * marks units done strictly in lane order, so "the lane's last unit is done" means the whole lane is.
 *
 * Every 2 s it checks the job (still running, no failure recorded elsewhere); every 10 s it counts
 * what its units recorded into the job's progress. When time is up it hands its earliest unfinished
 * unit to a fresh invocation through the queue (turn + 1, naming itself), as the job lease does.
 */
import { logger } from '#shared/logger';
import { loadJob } from '#shared/exports/job-store';
import type { AttemptRef } from '#shared/exports/checkpoints/attempt';
import { nextInLane } from '#shared/exports/checkpoints/unit-ranges';
import { JobNoLongerRunningError, WorkUnit } from '#shared/exports/checkpoints/work-unit';
import type { ExportJob } from '#shared/exports/export-job';
import { sendExportMessage } from '#shared/exports/export-queue';
import { LeaseLostError } from '#shared/exports/lease-lost';
import { Outcome, runWorkItems, type EngineResult, type WorkItem } from '#shared/exports/worker/copy-engine';
import type { CopyEnv } from '#shared/exports/worker/copy-env';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import type { TimeBudget } from '#shared/exports/worker/time-budget';
import { UnitCopy } from '#shared/exports/worker/unit-copy';

const CHECK_MS = 2_000;
const COUNT_EVERY_CHECKS = 5;
/** Invocations in a row without progress (S3 failing transiently) before the job fails. */
export const MAX_STALLS = 5;

export const s3Unavailable = () =>
  new ExportFailure(
    'S3_UNAVAILABLE',
    'The export kept failing with temporary S3 errors and gave up. Export the backup again later.',
  );

export type LaneEnd =
  /** The lane has no unit left here (its last unit is done, or another invocation is ahead on it). */
  | { kind: 'lane-done' }
  | { kind: 'handed-over' }
  /** The work stopped: a failure to report, or nothing more to do here (lease lost, job ended). */
  | { kind: 'stopped'; result: EngineResult };

export interface LaneContext {
  job: ExportJob;
  attempt: AttemptRef;
  env: CopyEnv;
  budget: TimeBudget;
  owner: string;
}

interface Held {
  unit: WorkUnit;
  /** Absent for a unit taken but not started. */
  copy?: UnitCopy;
  ready: boolean;
}

export class Lane {
  private readonly held: Held[] = [];
  private draining: Promise<void> = Promise.resolve();
  private readonly outcome = new Outcome();
  private progressed = false;
  /** The lane's next unit after the last one this invocation marked done. */
  private nextUnit: number | undefined;
  private readonly workers: number;
  private readonly units: number;

  constructor(private readonly context: LaneContext) {
    this.workers = context.job.workers ?? 1;
    this.units = context.job.units ?? 0;
  }

  /** Takes the lease of the lane's first unit at or after `unit` that is not done; undefined when none is free. */
  static async walkFrom(context: LaneContext, unit: number | undefined): Promise<WorkUnit | undefined> {
    const { job, attempt, budget, owner } = context;
    for (let next = unit; next !== undefined; next = nextInLane(next, job.workers ?? 1, job.units ?? 0)) {
      const taken = await WorkUnit.take(attempt, next, { owner, expiresAt: budget.leaseExpiresAt });
      if (taken.kind === 'taken') return taken.unit;
      if (taken.kind !== 'done') return undefined;
    }
    return undefined;
  }

  async run(first: WorkUnit): Promise<LaneEnd> {
    const timer = this.startChecks();
    try {
      await runWorkItems(this.items(first), this.context.budget, undefined, this.outcome);
      await this.draining;
    } finally {
      clearInterval(timer);
    }
    const result = this.outcome.current;
    if (this.outcome.stopped) return { kind: 'stopped', result };
    if (result.kind === 'all-copied' && this.held.length === 0) return { kind: 'lane-done' };
    return this.handOver(result);
  }

  private async *items(first: WorkUnit): AsyncGenerator<WorkItem> {
    for (let unit: WorkUnit | undefined = first; unit;) {
      const held: Held = { unit, copy: await UnitCopy.open(this.context.attempt, unit), ready: false };
      const copy = held.copy as UnitCopy;
      this.held.push(held);
      const settled = async () => {
        this.progressed = true;
        if (!held.ready && copy.complete) {
          held.ready = true;
          await this.drain();
        }
      };
      const items = copy.items(this.context.env, settled);
      if (items.length === 0 && copy.complete) {
        held.ready = true;
        await this.drain();
      }
      yield* items;
      const next = nextInLane(unit.number, this.workers, this.units);
      unit = next === undefined ? undefined : await Lane.walkFrom(this.context, next);
    }
  }

  /** Marks ready units done, front first: a unit is marked only after every earlier unit of the lane. */
  private drain(): Promise<void> {
    this.draining = this.draining.then(async () => {
      while (this.held[0]?.ready && !this.outcome.stopped) {
        const { unit, copy } = this.held[0];
        if (!copy) return;
        try {
          await copy.flush();
          await unit.count(copy.recorded(), {
            lastOfLane: nextInLane(unit.number, this.workers, this.units) === undefined,
          });
        } catch (error) {
          this.outcome.settleError(error, this.context.budget.signal);
          this.context.budget.abortNow();
          return;
        }
        this.held.shift();
        this.nextUnit = nextInLane(unit.number, this.workers, this.units);
      }
    });
    return this.draining;
  }

  private startChecks(): NodeJS.Timeout {
    let checks = 0;
    const { job, budget } = this.context;
    return setInterval(() => {
      checks += 1;
      const check = async () => {
        const current = await loadJob(job.projectId, job.jobId);
        if (!current || current.status !== 'RUNNING' || current.attempt !== job.attempt || current.failure)
          throw new JobNoLongerRunningError();
        if (checks % COUNT_EVERY_CHECKS === 0) await this.countProgress();
      };
      check().catch((error: unknown) => {
        // Any other error: the next check retries.
        if (!(error instanceof LeaseLostError || error instanceof JobNoLongerRunningError)) return;
        this.outcome.settleError(error, budget.signal);
        budget.abortNow();
      });
    }, CHECK_MS);
  }

  private async countProgress(): Promise<void> {
    for (const { unit, copy, ready } of [...this.held]) if (copy && !ready) await unit.count(copy.recorded());
  }

  /**
   * Hands the lane to a fresh invocation: the message for the earliest unfinished unit goes out
   * first and names this invocation, so the successor may take over even before the release lands.
   * Units taken ahead are freed with their turn unchanged (the successor walks on to them). A lane
   * that copied nothing because S3 kept failing hands over with a growing delay.
   */
  private async handOver(result: EngineResult): Promise<LaneEnd> {
    if (this.held.length === 0) {
      // Time ran out right after a unit was marked done: take the next one, to hand it over.
      const next = await Lane.walkFrom(this.context, this.nextUnit);
      if (!next) return { kind: 'lane-done' };
      this.held.push({ unit: next, ready: false });
    }
    for (const { copy } of this.held) await copy?.flush();
    await this.countProgress();
    const [front, ...rest] = this.held;
    if (!front) return { kind: 'lane-done' };
    const stalled = result.kind === 'interrupted' && !this.progressed;
    const stalls = stalled ? front.unit.stalls + 1 : 0;
    if (stalls > MAX_STALLS) return { kind: 'stopped', result: { kind: 'failed', failure: s3Unavailable() } };
    const { job, owner } = this.context;
    const turn = front.unit.turn + 1;
    const message = {
      projectId: job.projectId,
      jobId: job.jobId,
      attempt: job.attempt,
      unit: front.unit.number,
      turn,
      after: owner,
    };
    await sendExportMessage(message, stalled ? 15 * 2 ** stalls : 0);
    await front.unit.handOver({ turn, stalls });
    for (const { unit } of rest) await unit.handOver({ turn: unit.turn, stalls: unit.stalls });
    logger.info('export lane continues in a fresh invocation', { unit: front.unit.number, turn, stalls });
    return { kind: 'handed-over' };
  }
}
