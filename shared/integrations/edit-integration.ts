/**
 * PATCH: a typo in the name or description corrected, a KMS key set or removed. The name stays
 * unique in the project (NAME_TAKEN). A changed key changes the documents (the policy's KMS
 * statement) and is a candidate setting like a new role: work keeps the proved settings until a
 * validation of the new key passes (shared/integrations/customer-target.ts), which the customer
 * starts once the role's policy allows the key (POST .../validate).
 */
import { BadRequestError, ConflictError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { saveEdit, type IntegrationEdit } from '#shared/integrations/edit-store';
import { toView } from '#shared/integrations/integration-view';
import * as store from '#shared/integrations/integration-store';
import { documentsOf, requireIntegration } from '#shared/integrations/manage-integrations';
import {
  kmsKeyInRegion,
  type EditIntegrationBody,
  type IntegrationView,
  type SetupDocuments,
} from '#shared/integrations/schemas';
import { VALIDATION_STALE_AFTER_MS } from '#shared/validation/run-input';

const isValidating = (status: string, startedAt: string | undefined) =>
  status === 'VALIDATING' && Date.parse(startedAt ?? '') > Date.now() - VALIDATION_STALE_AFTER_MS;

export async function editIntegration(
  caller: PlatformUser,
  projectId: string,
  integrationId: string,
  body: EditIntegrationBody,
): Promise<IntegrationView & { setup: SetupDocuments }> {
  const integration = await requireIntegration(caller, projectId, integrationId, 'write');
  const edit: IntegrationEdit = { ...body };
  const keyChanges = body.kmsKeyArn !== undefined && (body.kmsKeyArn ?? undefined) !== integration.kmsKeyArn;
  if (body.kmsKeyArn && !kmsKeyInRegion(body.kmsKeyArn, integration.region)) {
    throw new BadRequestError(
      `The request body is not valid: kmsKeyArn must be a key in the integration region ${integration.region}.`,
      [
        {
          field: 'kmsKeyArn',
          issue: `must be a key in the integration region ${integration.region}`,
          expected: `arn:aws:kms:${integration.region}:<account>:key/<id>`,
        },
      ],
    );
  }
  if (keyChanges && isValidating(integration.status, integration.validation?.startedAt)) {
    throw new ConflictError(
      'VALIDATION_IN_PROGRESS',
      'A validation of this integration is running: wait for its result, then change the KMS key.',
    );
  }
  await saveEdit(integration, edit, new Date().toISOString());
  logger.info('integration edited', { projectId, integrationId, fields: Object.keys(body), keyChanges });
  const edited = await store.loadIntegration(projectId, integrationId);
  if (!edited) throw new ConflictError('CONCURRENT_UPDATE', 'The integration was deleted while you edited it.');
  return { ...toView(edited), setup: documentsOf(edited) };
}
