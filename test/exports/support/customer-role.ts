/**
 * The customer changing what the export's role may do, as a customer would in IAM, and the
 * integration validated again through the API afterwards (an export that met a refusal leaves it FAILED).
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { clientsFor } from '../../support/local-stack';
import { waitForResult } from '../../support/customer';
import type { ExportWorld } from './export-stack';

type PolicyDocument = ExportWorld['created']['setup']['iamPolicy'];

const roleNameOf = (world: ExportWorld) => world.roleArn.split('/').pop() ?? '';

/** The role's policy, detached (answers its ARN) or attached again, as a customer would change it. */
export async function rolePolicy(world: ExportWorld, action: 'detach' | 'attach', policyArn?: string): Promise<string> {
  const { iam } = clientsFor(world.accountId);
  const roleName = roleNameOf(world);
  if (action === 'detach') {
    const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    const arn = AttachedPolicies[0]?.PolicyArn ?? '';
    await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
    return arn;
  }
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
  return policyArn ?? '';
}

/** Attaches a new policy with `document` to the role (after its own was detached); answers its ARN. */
export async function attachPolicy(world: ExportWorld, document: PolicyDocument): Promise<string> {
  const { iam } = clientsFor(world.accountId);
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `changed-${randomBytes(3).toString('hex')}`,
      PolicyDocument: JSON.stringify(document),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleNameOf(world), PolicyArn: Policy?.Arn }));
  return Policy?.Arn ?? '';
}

/** POST .../validate and the run's result. */
export async function validate(world: ExportWorld): Promise<IntegrationView> {
  expect(
    (await world.project.client.post(`${world.project.base}/${world.integration.integrationId}/validate`)).status,
  ).toBe(202);
  return waitForResult(world.project, world.integration.integrationId);
}
