import type { Caller } from '#shared/http/caller';
import { getIntegration } from '#shared/integrations/manage-integrations';
import { listProjectForwardings } from '#shared/forwarding/forwarding-store';
import { combinedLagPoints, type LagHistoryView } from '#shared/forwarding/lag-history';

/**
 * GET .../integrations/{integrationId}/lag-history: the lag of the last day of every cluster that
 * forwards audit logs through the integration, the worst per slot, for the console's chart.
 */
export async function integrationLagHistory(caller: Caller, projectId: string, integrationId: string): Promise<LagHistoryView> {
  await getIntegration(caller, projectId, integrationId); // authorizes (read) and answers 404 for an unknown integration
  const forwardings = (await listProjectForwardings(projectId)).filter((forwarding) => forwarding.integrationId === integrationId);
  return combinedLagPoints(forwardings.map((forwarding) => forwarding.lagHistory), Date.now());
}
