import { randomUUID } from 'node:crypto';
import { NotFoundError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { requireUsableForNewWork } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { requireDedicatedCluster, requireProjectAccess, type Access } from '#shared/projects/access';
import { initialHealth, shardOf, toForwardingView, type Forwarding } from '#shared/forwarding/forwarding';
import {
  changeForwarding,
  deleteForwarding,
  loadForwarding,
  insertForwarding,
} from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';
import type { ForwardingBody, ForwardingView } from '#shared/forwarding/schemas';

/**
 * The forwarding use cases behind PUT/GET/DELETE .../clusters/{clusterId}/audit-log-forwarding.
 * Each authorizes first (tenancy, enterprise plan, dedicated cluster), so nobody learns anything
 * about a cluster of a project they may not see.
 */
const forwardingOff = () =>
  new NotFoundError('Audit-log forwarding is not turned on for this cluster.', 'FORWARDING_NOT_FOUND');

async function viewOf(forwarding: Forwarding): Promise<ForwardingView> {
  const integration = await loadIntegration(forwarding.projectId, forwarding.integrationId);
  return toForwardingView(forwarding, integration?.bucketName ?? '');
}

/** Turns forwarding on, or points it at another integration or directory. `created` tells which. */
export async function putForwarding(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  body: ForwardingBody,
): Promise<{ created: boolean; forwarding: ForwardingView }> {
  await requireProjectAccess(caller, projectId, 'write');
  const cluster = await requireDedicatedCluster(projectId, clusterId);
  const integration = requireUsableForNewWork(await loadIntegration(projectId, body.integrationId), cluster.region);
  const now = new Date().toISOString();
  const existing = await loadForwarding(projectId, clusterId);
  if (!existing) {
    const forwarding: Forwarding = {
      projectId,
      clusterId,
      integrationId: body.integrationId,
      directory: body.directory,
      generation: randomUUID(),
      forwardingShard: shardOf(clusterId),
      enabledAt: now,
      enabledBy: caller.userId,
      updatedAt: now,
      updatedBy: caller.userId,
      health: initialHealth(),
    };
    await insertForwarding(forwarding);
    logger.info('audit-log forwarding turned on', { projectId, clusterId, integrationId: body.integrationId });
    return { created: true, forwarding: toForwardingView(forwarding, integration.bucketName) };
  }
  const previousIntegrationId = existing.integrationId;
  await changeForwarding(existing, { ...body, updatedAt: now, updatedBy: caller.userId });
  if (previousIntegrationId !== body.integrationId) await rollUpIntegrationHealth(projectId, previousIntegrationId);
  logger.info('audit-log forwarding changed', {
    projectId,
    clusterId,
    integrationId: body.integrationId,
    previousIntegrationId,
  });
  const forwarding = { ...existing, ...body, updatedAt: now, updatedBy: caller.userId };
  return { created: false, forwarding: toForwardingView(forwarding, integration.bucketName) };
}

/**
 * An existing forwarding can always be read and turned off, even if its cluster has since left the
 * dedicated tier (else its integration could never be deleted); without one, the cluster check
 * gives the most useful answer (no such cluster, feature not available, or forwarding off).
 */
async function requireForwarding(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  access: Access,
): Promise<Forwarding> {
  await requireProjectAccess(caller, projectId, access);
  const forwarding = await loadForwarding(projectId, clusterId);
  if (forwarding) return forwarding;
  await requireDedicatedCluster(projectId, clusterId);
  throw forwardingOff();
}

export async function getClusterForwarding(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
): Promise<ForwardingView> {
  return viewOf(await requireForwarding(caller, projectId, clusterId, 'read'));
}

/** Turns forwarding off. Files already delivered stay in the customer's bucket. */
export async function removeForwarding(caller: PlatformUser, projectId: string, clusterId: string): Promise<void> {
  const forwarding = await requireForwarding(caller, projectId, clusterId, 'write');
  await deleteForwarding(forwarding);
  await rollUpIntegrationHealth(projectId, forwarding.integrationId);
  logger.info('audit-log forwarding turned off', { projectId, clusterId, integrationId: forwarding.integrationId });
}
