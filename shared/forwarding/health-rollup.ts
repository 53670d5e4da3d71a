/**
 * An integration's `health` summarises every cluster that forwards through it, worst first: the
 * largest lag, delivery latency and failure streak, the newest delivery and the newest error
 * (prefixed with its cluster). Each cluster's own health lives on its forwarding item and is updated by every run
 * (GET .../audit-log-forwarding); the integration's is recomputed by the scheduler each tick
 * (so within a minute), and at once when forwarding is turned off or moved.
 *
 * Writes are optimistic: one applies only if the integration's health is still what was read, so a
 * slower writer never overwrites a newer summary with an older one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import { loadProjectForwardings, type IndexedForwarding } from '#shared/forwarding/forwarding-store';
import { inParallel } from '#shared/worker/in-parallel';
import type { Forwarding } from '#shared/forwarding/forwarding';

const MAX_ATTEMPTS = 5;

type ClusterHealth = Pick<Forwarding, 'clusterId' | 'health'>;

export function combineHealth(
  previous: IntegrationHealth | undefined,
  forwardings: ClusterHealth[],
): IntegrationHealth {
  const combined: IntegrationHealth = {
    consecutiveFailures: Math.max(0, ...forwardings.map((forwarding) => forwarding.health.consecutiveFailures)),
  };
  const deliveries = [previous?.lastDeliveryAt, ...forwardings.map((forwarding) => forwarding.health.lastDeliveryAt)];
  const lastDeliveryAt = deliveries
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  if (lastDeliveryAt) combined.lastDeliveryAt = lastDeliveryAt;
  const lags = forwardings.flatMap((forwarding) =>
    forwarding.health.lagSeconds === undefined ? [] : [forwarding.health.lagSeconds],
  );
  if (lags.length > 0) combined.lagSeconds = Math.max(...lags);
  const latencies = forwardings.flatMap((forwarding) =>
    forwarding.health.deliveryLatencySeconds === undefined ? [] : [forwarding.health.deliveryLatencySeconds],
  );
  if (latencies.length > 0) combined.deliveryLatencySeconds = Math.max(...latencies);
  const errors = forwardings.flatMap((forwarding) => {
    const error = forwarding.health.lastError;
    return error
      ? [{ ...error, message: `audit-log forwarding of cluster ${forwarding.clusterId}: ${error.message}` }]
      : [];
  });
  // The previous error stays until a newer one replaces it: a recovered integration still shows what happened.
  const lastError = [...(previous?.lastError ? [previous.lastError] : []), ...errors]
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  if (lastError) combined.lastError = lastError;
  return combined;
}

const sameHealth = (a: IntegrationHealth | undefined, b: IntegrationHealth) =>
  a !== undefined &&
  a.consecutiveFailures === b.consecutiveFailures &&
  a.lastDeliveryAt === b.lastDeliveryAt &&
  a.lagSeconds === b.lagSeconds &&
  a.deliveryLatencySeconds === b.deliveryLatencySeconds &&
  a.lastError?.code === b.lastError?.code &&
  a.lastError?.message === b.lastError?.message &&
  a.lastError?.at === b.lastError?.at;

/** Writes `next` only if the integration's health is still `previous`; false when it changed meanwhile. */
async function replaceHealth(
  projectId: string,
  integrationId: string,
  previous: IntegrationHealth | undefined,
  next: IntegrationHealth,
) {
  const values: Record<string, unknown> = { ':next': next };
  let unchanged = 'attribute_not_exists(health)';
  if (previous) {
    unchanged = 'health = :previous';
    values[':previous'] = previous;
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
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Recomputes one integration's health from the forwarding items of its project (strongly
 * consistent): after forwarding is turned off or moved, when the index may not list it any more.
 */
export async function rollUpIntegrationHealth(projectId: string, integrationId: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const integration = await loadIntegration(projectId, integrationId);
    if (!integration) return;
    const forwardings = (await loadProjectForwardings(projectId)).filter(
      (forwarding) => forwarding.integrationId === integrationId,
    );
    const next = combineHealth(integration.health, forwardings);
    if (sameHealth(integration.health, next)) return;
    if (await replaceHealth(projectId, integrationId, integration.health, next)) return;
  }
  logger.warn('integration health roll-up kept losing races; the next tick will retry', { projectId, integrationId });
}

/**
 * The scheduler's roll-up, every tick: the health of every integration that forwarding uses, from
 * what the index holds of its forwardings, so a worker run never has to read its siblings. A
 * write that loses a race is left to the next tick. Answers how many integrations changed.
 */
export async function rollUpFromIndex(forwardings: IndexedForwarding[], parallel: number): Promise<number> {
  const groups = new Map<string, IndexedForwarding[]>();
  for (const forwarding of forwardings) {
    const key = JSON.stringify([forwarding.projectId, forwarding.integrationId]);
    const group = groups.get(key);
    if (group) group.push(forwarding);
    else groups.set(key, [forwarding]);
  }
  let changed = 0;
  await inParallel([...groups.values()], parallel, async (group) => {
    const { projectId, integrationId } = group[0] as IndexedForwarding;
    const integration = await loadIntegration(projectId, integrationId);
    if (!integration) return;
    const next = combineHealth(integration.health, group);
    if (
      !sameHealth(integration.health, next) &&
      (await replaceHealth(projectId, integrationId, integration.health, next))
    )
      changed += 1;
  });
  return changed;
}
