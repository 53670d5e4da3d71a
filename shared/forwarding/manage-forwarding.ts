/**
 * The forwarding use cases behind PUT/GET/PATCH/DELETE .../clusters/{clusterId}/audit-log-forwarding.
 * Each authorizes first (tenancy, enterprise plan, dedicated cluster), so nobody learns anything
 * about a cluster of a project they may not see.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { requireUsableForNewWork } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { requireDedicatedCluster, requireProjectAccess, type Access } from '#shared/projects/access';
import { requestCatchUp } from '#shared/forwarding/delivery/catch-up-requests';
import {
  initialHealth,
  newDigestChain,
  shardOf,
  toForwardingView,
  type Forwarding,
} from '#shared/forwarding/forwarding';
import {
  changeForwarding,
  deleteForwarding,
  loadForwarding,
  insertForwarding,
  updateForwardingOptions,
} from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';
import type { ForwardingBody, ForwardingPatch, ForwardingView } from '#shared/forwarding/schemas';

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
      ...(body.compression && body.compression !== 'none' ? { compression: body.compression } : {}),
      generation: randomUUID(),
      forwardingShard: shardOf(clusterId),
      enabledAt: now,
      enabledBy: caller.userId,
      updatedAt: now,
      updatedBy: caller.userId,
      health: initialHealth(),
      digests: newDigestChain(now),
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
  const changed = (await loadForwarding(projectId, clusterId)) ?? { ...existing, ...body };
  return { created: false, forwarding: toForwardingView(changed, integration.bucketName) };
}

/**
 * An existing forwarding can always be read, paused and turned off, even if its cluster has since
 * left the dedicated tier (else its integration could never be deleted); without one, the cluster
 * check gives the most useful answer (no such cluster, feature not available, or forwarding off).
 */
export async function requireForwarding(
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

/**
 * Pauses or resumes, or changes the compression. While paused, nothing is written to the bucket and
 * files that land are recorded as pending; resuming asks for a catch-up run at once, which delivers
 * them oldest first.
 */
export async function patchForwarding(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  patch: ForwardingPatch,
): Promise<ForwardingView> {
  const existing = await requireForwarding(caller, projectId, clusterId, 'write');
  const now = new Date().toISOString();
  const pausing = patch.paused === true && !existing.paused;
  const resuming = patch.paused === false && existing.paused !== undefined;
  await updateForwardingOptions(existing, {
    ...(pausing ? { paused: { at: now, by: caller.userId } } : resuming ? { paused: null } : {}),
    ...(patch.compression ? { compression: patch.compression } : {}),
    updatedAt: now,
    updatedBy: caller.userId,
  });
  if (resuming) await requestCatchUp(existing);
  if (pausing || resuming)
    logger.info(pausing ? 'audit-log forwarding paused' : 'audit-log forwarding resumed', {
      projectId,
      clusterId,
      integrationId: existing.integrationId,
    });
  return viewOf((await loadForwarding(projectId, clusterId)) ?? existing);
}

/** Turns forwarding off. Files already delivered stay in the customer's bucket. */
export async function removeForwarding(caller: PlatformUser, projectId: string, clusterId: string): Promise<void> {
  const forwarding = await requireForwarding(caller, projectId, clusterId, 'write');
  await deleteForwarding(forwarding);
  await rollUpIntegrationHealth(projectId, forwarding.integrationId);
  logger.info('audit-log forwarding turned off', { projectId, clusterId, integrationId: forwarding.integrationId });
}
