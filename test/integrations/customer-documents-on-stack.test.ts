/**
 * Acting as the customer with the ordinary IAM client: the documents the API returns really create
 * a role that the platform can assume with the external ID, and cannot without it.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import type { IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { localStack, uniqueAccountId } from '../support/local-stack';
import { createRole } from '../support/customer';
import { functionCredentials, roleSession } from '../support/function-roles';
import { deployRoleTemplate } from '../support/role-template-deploy';
import { platformProject } from '../support/platform';

type Created = IntegrationView & { setup: SetupDocuments };

async function newIntegration(): Promise<Created> {
  const project = await platformProject();
  const answer = await project.client.post(project.base, {
    name: 'Customer docs',
    region: 'us-east-1',
    bucketName: 'customer-docs-bucket',
  });
  expect(answer.status).toBe(201);
  return answer.json as Created;
}

const stsAs = (credentials: AwsCredentialIdentity) =>
  new STSClient({ endpoint: localStack().awsUrl, region: 'us-east-1', credentials });

async function expectAssumable(roleArn: string, externalId: string) {
  // The platform as validation calls: the runValidationStage function's role.
  const sts = stsAs(await functionCredentials(['runValidationStage']));
  const assume = (ExternalId?: string) =>
    sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'docs-test', ExternalId }));
  const session = await assume(externalId);
  expect(session.AssumedRoleUser?.Arn).toContain(':assumed-role/');
  await expect(assume()).rejects.toMatchObject({ name: 'AccessDenied' });
  await expect(assume(`${externalId}-other`)).rejects.toMatchObject({ name: 'AccessDenied' });
  // A principal of another account, allowed by its own policies to assume any role, is still refused
  // by the trust policy.
  const stranger = stsAs(
    await roleSession(uniqueAccountId(), [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]),
  );
  await expect(
    stranger.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'stranger', ExternalId: externalId })),
  ).rejects.toMatchObject({
    name: 'AccessDenied',
  });
}

describe('customer documents on the local stack', () => {
  it('the IAM and trust policies create a role only the platform can assume, only with the external id', async () => {
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
