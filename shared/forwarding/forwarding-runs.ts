/**
 * One message of ForwardingQueue, run: a catch-up run of a cluster (pending files, the scheduler's
 * reconciliation) or a slice of a replay job. Both budget their time from what is left of the
 * invocation: no file is started after RUN_MS, and FINISH_RESERVE_MS is kept to record the outcome
 * (a run that runs out of time asks for its own continuation). A cluster whose bucket fails is
 * recorded in its health and its message succeeds; only an error of ours throws.
 */
import { config } from '#shared/config';
import { catchUp } from '#shared/forwarding/delivery/catch-up-run';
import { runReplaySlice } from '#shared/forwarding/replay/run-replay';
import type { ForwardingRunMessage } from '#shared/forwarding/schemas';

const RUN_MS = 45_000;
/** Time kept after the last file for recording the outcome. */
const FINISH_RESERVE_MS = 10_000;
/** Longer than the function's timeout (60 s in serverless.yml), so an expired lease means a dead run. */
const LEASE_MS = 90_000;
const FILE_TIMEOUT_MS = 20_000;

export async function runForwardingMessage(message: ForwardingRunMessage, remainingMs: number): Promise<void> {
  const started = Date.now();
  const deadline = Math.min(started + RUN_MS, started + remainingMs - FINISH_RESERVE_MS);
  if (message.kind === 'replay') {
    await runReplaySlice(message, { deadline, leaseMs: LEASE_MS, fileTimeoutMs: FILE_TIMEOUT_MS });
    return;
  }
  await catchUp(message, {
    reason: message.reason,
    deadline,
    leaseMs: LEASE_MS,
    eventGraceSeconds: config().FORWARDING_EVENT_GRACE_SECONDS,
    fileTimeoutMs: FILE_TIMEOUT_MS,
  });
}
