/**
 * What a malicious (or careless) customer builds in their own account for the attack suite: trust
 * policies too broad in each way IAM allows, roles shared between integrations, and the export that
 * runs into a role whose permissions were taken away.
 */
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { candidateTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { SetupDocuments } from '#shared/integrations/schemas';
import {
  createIntegration,
  customerSetUp,
  setRoleAndWait,
  uniqueBucketName,
  type CreatedIntegration,
} from '../../support/customer';
import type { Project } from '../../support/platform';
import { activeIntegration, REGION } from './tenants';

type Trust = SetupDocuments['trustPolicy'];
type Statement = Record<string, unknown>;

/** The generated trust policy's statement with its condition replaced (or removed with `undefined`). */
export function trustWith(
  documents: SetupDocuments,
  condition: Record<string, unknown> | undefined,
  principal?: unknown,
): Trust {
  const [statement] = documents.trustPolicy.Statement as Statement[];
  const { Condition: _condition, ...rest } = statement ?? {};
  return {
    ...documents.trustPolicy,
    Statement: [
      {
        ...rest,
        ...(principal !== undefined ? { Principal: principal } : {}),
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/** The generated trust policy plus a second statement. */
export function trustPlus(documents: SetupDocuments, extra: Statement): Trust {
  return { ...documents.trustPolicy, Statement: [...(documents.trustPolicy.Statement as Statement[]), extra] };
}

export const PLATFORM_ROOT = 'arn:aws:iam::111111111111:root';

/** Creates an integration, lets a fresh customer account set it up with `trust`, and waits for validation. */
export async function validateWithTrust(project: Project, trust: (created: CreatedIntegration) => Trust) {
  const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('trust') });
  const { roleArn, accountId } = await customerSetUp(created, { trustPolicy: trust(created) });
  const view = await setRoleAndWait(project, created.integrationId, roleArn);
  return { created, view, roleArn, accountId };
}

/** The target of an ACTIVE integration of `project`, set up by a fresh customer account (its real role and bucket). */
export async function activeTarget(project: Project): Promise<{ target: CustomerTarget; accountId: string }> {
  const { integration, accountId } = await activeIntegration(project);
  const stored = await loadIntegration(project.projectId, integration.integrationId);
  if (!stored) throw new Error('integration gone');
  return { target: candidateTargetOf(stored), accountId };
}
