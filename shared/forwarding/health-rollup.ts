import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/dynamodb';
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { getIntegration } from '#shared/integrations/integration-store';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import { listProjectForwardings } from '#shared/forwarding/forwarding-store';
import type { Forwarding } from '#shared/forwarding/forwarding';

/**
 * An integration's `health` summarises every cluster that forwards through it, worst first: the
 * largest lag and failure streak, the newest delivery and the newest error (prefixed with its
 * cluster). Each cluster's own health stays on its forwarding item (GET .../audit-log-forwarding).
 *
 * Several workers finish at once for clusters of the same integration, so the write is
 * optimistic: it applies only if the integration's health is still what was read, else the
 * roll-up reads and recomputes. The last write therefore always reflects every cluster's latest run.
 */
const MAX_ATTEMPTS = 5;

export function combineHealth(previous: IntegrationHealth | undefined, forwardings: Forwarding[]): IntegrationHealth {
  const combined: IntegrationHealth = {
    consecutiveFailures: Math.max(0, ...forwardings.map((forwarding) => forwarding.health.consecutiveFailures)),
  };
  const deliveries = [previous?.lastDeliveryAt, ...forwardings.map((forwarding) => forwarding.health.lastDeliveryAt)];
  const lastDeliveryAt = deliveries.filter((at): at is string => at !== undefined).sort().at(-1);
  if (lastDeliveryAt) combined.lastDeliveryAt = lastDeliveryAt;
  const lags = forwardings.flatMap((forwarding) => (forwarding.health.lagSeconds === undefined ? [] : [forwarding.health.lagSeconds]));
  if (lags.length > 0) combined.lagSeconds = Math.max(...lags);
  const errors = forwardings.flatMap((forwarding) => {
    const error = forwarding.health.lastError;
    return error ? [{ ...error, message: `audit-log forwarding of cluster ${forwarding.clusterId}: ${error.message}` }] : [];
  });
  // The previous error stays until a newer one replaces it: a recovered integration still shows what happened.
  const lastError = [...(previous?.lastError ? [previous.lastError] : []), ...errors].sort((a, b) => a.at.localeCompare(b.at)).at(-1);
  if (lastError) combined.lastError = lastError;
  return combined;
}

const sameHealth = (a: IntegrationHealth | undefined, b: IntegrationHealth) =>
  a !== undefined &&
  a.consecutiveFailures === b.consecutiveFailures &&
  a.lastDeliveryAt === b.lastDeliveryAt &&
  a.lagSeconds === b.lagSeconds &&
  a.lastError?.code === b.lastError?.code &&
  a.lastError?.message === b.lastError?.message &&
  a.lastError?.at === b.lastError?.at;

export async function rollUpIntegrationHealth(projectId: string, integrationId: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const integration = await getIntegration(projectId, integrationId);
    if (!integration) return;
    const forwardings = (await listProjectForwardings(projectId)).filter((forwarding) => forwarding.integrationId === integrationId);
    const next = combineHealth(integration.health, forwardings);
    if (sameHealth(integration.health, next)) return;
    const values: Record<string, unknown> = { ':next': next };
    let unchanged = 'attribute_not_exists(health)';
    if (integration.health) {
      unchanged = 'health = :previous';
      values[':previous'] = integration.health;
    }
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: config().TABLE_NAME,
          Key: keys.integration(projectId, integrationId),
          UpdateExpression: 'SET health = :next',
          ConditionExpression: `attribute_exists(pk) AND ${unchanged}`,
          ExpressionAttributeValues: values,
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  logger.warn('integration health roll-up kept losing races; the next run will retry', { projectId, integrationId });
}
