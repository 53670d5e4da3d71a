/**
 * The one place the service publishes its events (notifications.ts says which). Called right after
 * the write that made the change succeeded, so an event never announces a change that did not
 * happen. Publishing never fails the caller: the change is already stored and visible in the API;
 * a lost event is logged and counted (NotificationsNotPublished) for the operators. Each detail is
 * checked against its schema first, so what goes out is what the documents promise.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '#shared/config';
import { eventBridge } from '#shared/aws/clients';
import { logger, metrics } from '#shared/logger';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import {
  forwardingHealthOf,
  NOTIFICATION_SOURCE,
  NOTIFICATIONS,
  type Notification,
} from '#shared/notifications/notifications';

export async function publish(notification: Notification): Promise<void> {
  const bus = config().EVENT_BUS_NAME;
  if (!bus) return; // no bus configured (a unit test without a stack): nothing to tell
  try {
    const detail = NOTIFICATIONS[notification.detailType].parse(notification.detail);
    const answer = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: NOTIFICATION_SOURCE,
            DetailType: notification.detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if ((answer.FailedEntryCount ?? 0) > 0) throw new Error(answer.Entries?.[0]?.ErrorCode ?? 'FailedEntry');
  } catch (error) {
    logger.warn('event not published', {
      detailType: notification.detailType,
      projectId: notification.detail.projectId,
      error: (error as Error).name,
    });
    metrics.addMetric('NotificationsNotPublished', MetricUnit.Count, 1);
  }
}

/** An export job ended (its final write succeeded). */
export function publishJobFinished(
  job: { projectId: string; integrationId: string; jobId: string; clusterId: string; backupId: string },
  outcome: { status: 'SUCCEEDED' } | { status: 'FAILED'; code: string },
): Promise<void> {
  const { projectId, integrationId, jobId, clusterId, backupId } = job;
  return publish({
    detailType: 'Export Job Finished',
    detail: { projectId, integrationId, jobId, clusterId, backupId, ...outcome, at: new Date().toISOString() },
  });
}

/** A replay of audit logs ended (its final write succeeded). */
export function publishReplayFinished(
  replay: { projectId: string; integrationId: string; clusterId: string; replayId: string },
  outcome: { status: 'SUCCEEDED' } | { status: 'FAILED'; code: string },
): Promise<void> {
  const { projectId, integrationId, clusterId, replayId } = replay;
  return publish({
    detailType: 'Audit Log Replay Finished',
    detail: { projectId, integrationId, clusterId, replayId, ...outcome, at: new Date().toISOString() },
  });
}

/**
 * An integration's status changed (its write succeeded): the end of a validation, or FAILED found by a re-check or by
 * work.
 */
export function publishIntegrationStatus(
  ref: { projectId: string; integrationId: string },
  change: {
    status: 'ACTIVE' | 'FAILED';
    previousStatus: 'VALIDATING' | 'ACTIVE';
    detectedBy: string;
    failed?: { code?: string; name: string };
  },
): Promise<void> {
  const { failed, ...rest } = change;
  return publish({
    detailType: 'Integration Status Changed',
    detail: {
      projectId: ref.projectId,
      integrationId: ref.integrationId,
      ...rest,
      ...(failed?.code ? { code: failed.code, stage: failed.name } : {}),
      at: new Date().toISOString(),
    },
  });
}

/**
 * Forwarding's one call after a run recorded its health: publishes when the health word
 * (HEALTHY, LAGGING, FAILING) changed, nothing otherwise.
 */
export async function publishForwardingHealth(
  ref: { projectId: string; clusterId: string; integrationId: string },
  before: IntegrationHealth,
  after: IntegrationHealth,
): Promise<void> {
  const threshold = config().FORWARDING_LAG_ALERT_SECONDS;
  const [previousHealth, health] = [forwardingHealthOf(before, threshold), forwardingHealthOf(after, threshold)];
  if (previousHealth === health) return;
  await publish({
    detailType: 'Audit Log Forwarding Health Changed',
    detail: {
      ...ref,
      health,
      previousHealth,
      ...(after.lagSeconds !== undefined ? { lagSeconds: after.lagSeconds } : {}),
      ...(health === 'FAILING' && after.lastError ? { code: after.lastError.code } : {}),
      at: new Date().toISOString(),
    },
  });
}
