/**
 * POST .../audit-log-forwarding/replay {from, to} and GET .../replay/{replayId}. A replay covers
 * files written while this forwarding was on (never before `enabledAt`: those may be another
 * tenant's, from before the cluster came to this project), in a window of at most
 * MAX_REPLAY_DAYS that has begun, one replay per forwarding at a time.
 */
import { ConflictError, NotFoundError, UnprocessableError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { newReplayId } from '#shared/integrations/identifiers';
import { loadIntegration } from '#shared/integrations/integration-store';
import { requireProjectAccess } from '#shared/projects/access';
import { HOUR_MS, hourStart } from '#shared/forwarding/audit-log-keys';
import { requestReplaySlice } from '#shared/forwarding/delivery/catch-up-requests';
import { requireForwarding } from '#shared/forwarding/manage-forwarding';
import { loadReplay, insertReplay, toReplayView, type Replay } from '#shared/forwarding/replay/replay-store';
import type { ReplayView } from '#shared/forwarding/schemas';

export const MAX_REPLAY_DAYS = 31;
/** Clocks differ a little: `to` may be this far ahead of ours. */
const CLOCK_SLACK_MS = 60_000;

const invalidWindow = (message: string) => new UnprocessableError('REPLAY_WINDOW_INVALID', message);

export async function startReplay(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  body: { from: string; to: string },
): Promise<ReplayView> {
  const forwarding = await requireForwarding(caller, projectId, clusterId, 'write');
  const from = Date.parse(body.from);
  const to = Date.parse(body.to);
  const now = Date.now();
  if (from >= to) throw invalidWindow('`from` must be before `to`.');
  if (to > now + CLOCK_SLACK_MS)
    throw invalidWindow(
      '`to` is in the future: a replay delivers files that were already written; choose a window that has ended.',
    );
  if (from < Math.floor(Date.parse(forwarding.enabledAt) / 1000) * 1000) {
    throw invalidWindow(
      `Forwarding of this cluster was turned on at ${forwarding.enabledAt}: ` +
        `only files written since then are forwarded, so \`from\` may not be earlier.`,
    );
  }
  if (to - from > MAX_REPLAY_DAYS * 24 * HOUR_MS)
    throw invalidWindow(`A replay covers at most ${MAX_REPLAY_DAYS} days: split the window.`);
  if (forwarding.paused)
    throw new ConflictError(
      'FORWARDING_PAUSED',
      'Forwarding of this cluster is paused: resume it (PATCH .../audit-log-forwarding {"paused": false}), ' +
        'then replay.',
    );
  const integration = await loadIntegration(projectId, forwarding.integrationId);
  if (!integration || !workerTargetOf(integration)) {
    throw new ConflictError(
      'INTEGRATION_NOT_ACTIVE',
      'The integration of this forwarding is not ACTIVE: validate it again (POST .../validate), then replay.',
    );
  }
  const createdAt = new Date(now).toISOString();
  const replay: Replay = {
    replayId: newReplayId(),
    projectId,
    integrationId: forwarding.integrationId,
    clusterId,
    generation: forwarding.generation,
    status: 'RUNNING',
    from: new Date(from).toISOString(),
    to: new Date(Math.min(to, now)).toISOString(),
    nextHour: hourStart(from).toISOString(),
    progress: {
      hoursTotal: Math.ceil(
        (hourStart(Math.min(to, now) - 1).getTime() + HOUR_MS - hourStart(from).getTime()) / HOUR_MS,
      ),
      hoursDone: 0,
      filesDelivered: 0,
      filesAlreadyPresent: 0,
    },
    failedSlices: 0,
    createdAt,
    updatedAt: createdAt,
    createdBy: caller.userId,
  };
  await insertReplay(forwarding, replay);
  await requestReplaySlice(replay);
  logger.info('audit-log replay started', {
    projectId,
    clusterId,
    replayId: replay.replayId,
    hours: replay.progress.hoursTotal,
  });
  return toReplayView(replay);
}

export async function getReplay(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  replayId: string,
): Promise<ReplayView> {
  await requireProjectAccess(caller, projectId, 'read');
  const replay = await loadReplay(projectId, clusterId, replayId);
  if (!replay) throw new NotFoundError('No such replay of this cluster.', 'REPLAY_NOT_FOUND');
  return toReplayView(replay);
}
