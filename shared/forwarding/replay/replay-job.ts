/**
 * A replay job as the slice that holds its lease sees it: the job's state and every change a
 * slice makes to it (an hour replayed, a slice that could not work, the end), each saved under the
 * lease (replay-store.ts). run-replay.ts decides what happens; this object owns what the job is and
 * its persistence, as DeliveryLedger owns the ledger's entries and FileBatch a batch's outcome.
 */
import { randomUUID } from 'node:crypto';
import { HOUR_MS, hourStart } from '#shared/forwarding/audit-log-keys';
import type { DeliveredFile } from '#shared/forwarding/delivery/file-delivery';
import {
  claimReplay,
  finishReplay,
  MAX_FAILED_SLICES,
  saveReplayProgress,
  type Replay,
} from '#shared/forwarding/replay/replay-store';

export type ReplayRef = { projectId: string; clusterId: string; replayId: string };

export class ReplayJob {
  /** Takes the job's lease; undefined when it is finished, or another slice holds it. */
  static async claim(ref: ReplayRef, leaseMs: number): Promise<ReplayJob | undefined> {
    const owner = randomUUID();
    const replay = await claimReplay(ref, owner, Date.now(), leaseMs);
    return replay && new ReplayJob(replay, owner);
  }

  private constructor(
    private readonly replay: Replay,
    private readonly owner: string,
  ) {}

  /** The forwarding's enablement the job belongs to. */
  get generation(): string {
    return this.replay.generation;
  }

  /** The write times replayed: [from, to). */
  get window(): { from: string; to: string } {
    return { from: this.replay.from, to: this.replay.to };
  }

  get progress(): Replay['progress'] {
    return this.replay.progress;
  }

  /** The hour folders left to replay, the next one first (read as the loop goes: it moves on). */
  *hoursLeft(): Generator<Date> {
    const last = hourStart(Date.parse(this.replay.to) - 1).getTime();
    for (let hour = Date.parse(this.replay.nextHour); hour <= last; hour += HOUR_MS) yield new Date(hour);
  }

  /** Counts a slice that could not work; true once too many failed in a row (the job is then to fail). */
  sliceFailed(): boolean {
    this.replay.failedSlices += 1;
    return this.replay.failedSlices >= MAX_FAILED_SLICES;
  }

  /** Saves the progress so far and gives the lease back, for a later slice. */
  async handOver(): Promise<void> {
    await saveReplayProgress(this.replay, this.owner, true);
  }

  /** One hour replayed whole: its files counted, the next hour next. False: the lease was lost. */
  hourDone(hour: Date, delivered: DeliveredFile[]): Promise<boolean> {
    const { progress } = this.replay;
    progress.filesDelivered += delivered.filter((file) => file.outcome === 'written').length;
    progress.filesAlreadyPresent += delivered.filter((file) => file.outcome === 'alreadyPresent').length;
    progress.hoursDone += 1;
    this.replay.nextHour = new Date(hour.getTime() + HOUR_MS).toISOString();
    this.replay.failedSlices = 0;
    return saveReplayProgress(this.replay, this.owner, false);
  }

  failed(error: { code: string; message: string }): Promise<void> {
    return finishReplay(this.replay, this.owner, { status: 'FAILED', error });
  }

  succeeded(): Promise<void> {
    return finishReplay(this.replay, this.owner, { status: 'SUCCEEDED' });
  }
}
