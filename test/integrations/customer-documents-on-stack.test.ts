import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { clientsFor, uniqueAccountId } from '../support/local-stack';
import { createRole } from '../support/customer';
import { deployRoleTemplate } from '../support/role-template-deploy';
import { PLATFORM_ACCOUNT, platformProject } from '../support/platform';

/**
 * Acting as the customer with the ordinary IAM client: the documents the API returns really create
 * a role that the platform can assume with the external ID, and cannot without it.
 */
type Created = IntegrationView & { setup: SetupDocuments };

async function newIntegration(): Promise<Created> {
  const project = await platformProject();
  const answer = await project.client.post(project.base, { name: 'Customer docs', region: 'us-east-1', bucketName: 'customer-docs-bucket' });
  expect(answer.status).toBe(201);
  return answer.json as Created;
}

async function expectAssumable(roleArn: string, externalId: string) {
  const { sts } = clientsFor(PLATFORM_ACCOUNT);
  const assume = (ExternalId?: string) => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'docs-test', ExternalId }));
  const session = await assume(externalId);
  expect(session.AssumedRoleUser?.Arn).toContain(':assumed-role/');
  await expect(assume()).rejects.toMatchObject({ name: 'AccessDenied' });
  await expect(assume(`${externalId}-other`)).rejects.toMatchObject({ name: 'AccessDenied' });
  const stranger = clientsFor(uniqueAccountId()).sts;
  await expect(stranger.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'stranger', ExternalId: externalId }))).rejects.toMatchObject({
    name: 'AccessDenied',
  });
}

describe('customer documents on the local stack', () => {
  it('the IAM policy and trust policy create a role only the platform can assume, and only with the external id', async () => {
    const integration = await newIntegration();
    const roleArn = await createRole(uniqueAccountId(), integration.setup);
    await expectAssumable(roleArn, integration.externalId);
  });

  it('the CloudFormation template creates the same role in one step', async () => {
    const integration = await newIntegration();
    const roleArn = await deployRoleTemplate(uniqueAccountId(), integration.setup.cloudFormationTemplate);
    expect(roleArn).toContain(`:role/s3-integration-${integration.integrationId}`);
    await expectAssumable(roleArn, integration.externalId);
  });
});
