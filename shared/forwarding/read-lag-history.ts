/**
 * GET .../integrations/{integrationId}/lag-history: the lag of the last day of every cluster that
 * forwards audit logs through the integration (finished slots from their rings, the slot in
 * progress from the forwarding), the worst per slot, for the console's chart.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import type { PlatformUser } from '#shared/http/platform-user';
import { getIntegration } from '#shared/integrations/manage-integrations';
import { loadProjectForwardings } from '#shared/forwarding/forwarding-store';
import { combinedLagPoints, ringSlots, type LagSlot } from '#shared/forwarding/lag-history';
import type { LagHistoryView } from '#shared/forwarding/schemas';
import { projectPk, sortKeyPrefix } from '#shared/table/keys';

export async function integrationLagHistory(
  caller: PlatformUser,
  projectId: string,
  integrationId: string,
): Promise<LagHistoryView> {
  // authorizes (read) and answers 404 for an unknown integration
  await getIntegration(caller, projectId, integrationId);
  const forwardings = (await loadProjectForwardings(projectId)).filter(
    (forwarding) => forwarding.integrationId === integrationId,
  );
  const clusters = new Set(forwardings.map((forwarding) => forwarding.clusterId));
  const slots: LagSlot[] = forwardings.flatMap((forwarding) => (forwarding.lagSlot ? [forwarding.lagSlot] : []));
  if (clusters.size > 0) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: config().TABLE_NAME,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': sortKeyPrefix.lagHistory },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) if (clusters.has(String(item.clusterId))) slots.push(...ringSlots(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return combinedLagPoints(slots, Date.now());
}
