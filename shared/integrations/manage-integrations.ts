/**
 * The integration use cases. Each one authorizes first, so no caller reaches a record of a
 * project it may not see; none of them knows about HTTP.
 */
import { config } from '#shared/config';
import { ConflictError, NotFoundError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { requireProjectAccess, type Access } from '#shared/projects/access';
import { setupDocumentsFor } from '#shared/integrations/setup-documents';
import { newExternalId, newIntegrationId } from '#shared/integrations/identifiers';
import type { Integration } from '#shared/integrations/integration';
import { toView } from '#shared/integrations/integration-view';
import * as store from '#shared/integrations/integration-store';
import type { CreateIntegrationBody, IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { startValidation } from '#shared/validation/start-validation';

export async function requireIntegration(
  caller: PlatformUser,
  projectId: string,
  integrationId: string,
  access: Access,
) {
  await requireProjectAccess(caller, projectId, access);
  const integration = await store.loadIntegration(projectId, integrationId);
  if (!integration) throw new NotFoundError('No such integration in this project.', 'INTEGRATION_NOT_FOUND');
  return integration;
}

/** The documents as they stand: a PENDING rotation's trust policy accepts both IDs, a RETIRING one only the new. */
export const documentsOf = (integration: Integration): SetupDocuments => {
  const rotation = integration.externalIdRotation;
  return setupDocumentsFor(
    {
      integrationId: integration.integrationId,
      bucketName: integration.bucketName,
      region: integration.region,
      externalId: integration.externalId,
      ...(integration.kmsKeyArn ? { kmsKeyArn: integration.kmsKeyArn } : {}),
      ...(rotation?.status === 'PENDING' ? { pendingExternalId: rotation.newExternalId } : {}),
      platformAccountId: config().PLATFORM_ACCOUNT_ID,
    },
    config().CUSTOMER_ROLE_TEMPLATE_URL,
  );
};

export async function createIntegration(
  caller: PlatformUser,
  projectId: string,
  body: CreateIntegrationBody,
): Promise<IntegrationView & { setup: SetupDocuments }> {
  await requireProjectAccess(caller, projectId, 'write');
  const now = new Date().toISOString();
  const integration: Integration = {
    ...body,
    integrationId: newIntegrationId(),
    projectId,
    externalId: newExternalId(),
    status: 'AWAITING_ROLE',
    createdAt: now,
    updatedAt: now,
    createdBy: caller.userId,
  };
  await store.insertIntegration(integration);
  logger.info('integration created', { projectId, integrationId: integration.integrationId });
  return { ...toView(integration), setup: documentsOf(integration) };
}

export async function listIntegrations(
  caller: PlatformUser,
  projectId: string,
  page: { limit: number; nextToken?: string },
) {
  await requireProjectAccess(caller, projectId, 'read');
  const { items, nextToken } = await store.loadIntegrationPage(projectId, page);
  return { items: items.map(toView), nextToken };
}

export async function getIntegration(
  caller: PlatformUser,
  projectId: string,
  integrationId: string,
): Promise<IntegrationView> {
  return toView(await requireIntegration(caller, projectId, integrationId, 'read'));
}

export async function getSetupDocuments(
  caller: PlatformUser,
  projectId: string,
  integrationId: string,
): Promise<SetupDocuments> {
  return documentsOf(await requireIntegration(caller, projectId, integrationId, 'read'));
}

/** Stores the customer's role and validates it; the answer is the integration as it now stands. */
export async function setRole(caller: PlatformUser, projectId: string, integrationId: string, roleArn: string) {
  const integration = await requireIntegration(caller, projectId, integrationId, 'write');
  await startValidation(integration, roleArn);
  logger.info('integration role set', { projectId, integrationId });
  return getIntegration(caller, projectId, integrationId);
}

export async function revalidate(caller: PlatformUser, projectId: string, integrationId: string) {
  const integration = await requireIntegration(caller, projectId, integrationId, 'write');
  if (!integration.roleArn) {
    throw new ConflictError(
      'ROLE_NOT_SET',
      'Set the role of this integration first (PUT .../role); that starts validation.',
    );
  }
  await startValidation(integration);
  return getIntegration(caller, projectId, integrationId);
}

export async function removeIntegration(caller: PlatformUser, projectId: string, integrationId: string): Promise<void> {
  const integration = await requireIntegration(caller, projectId, integrationId, 'write');
  await store.deleteIntegrationRecords(integration);
  logger.info('integration deleted', { projectId, integrationId });
}
