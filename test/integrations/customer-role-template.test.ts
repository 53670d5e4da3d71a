/**
 * The one-click path: the quick-create link of an integration fills the generic template's
 * parameters; CloudFormation (here: the same steps with the IAM client) then creates exactly the
 * role and policy that the integration's own documents create.
 */
import { readFileSync } from 'node:fs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { customerRoleTemplate } from '#shared/integrations/customer-role-template';
import { CUSTOMER_ROLE_TEMPLATE_FILE, customerRoleTemplateText } from '../../scripts/write-customer-role-template';
import { localStack, uniqueAccountId } from '../support/local-stack';
import { createIntegration, createKmsKey, type CreatedIntegration } from '../support/customer';
import { functionCredentials } from '../support/function-roles';
import { platformProject } from '../support/platform';
import { deployRoleTemplate, roleDocuments } from '../support/role-template-deploy';

function quickCreate(link: string) {
  const url = new URL(link);
  const [route = '', query = ''] = url.hash.slice(1).split('?');
  const search = new URLSearchParams(query);
  const parameters = Object.fromEntries(
    [...search].filter(([name]) => name.startsWith('param_')).map(([name, value]) => [name.slice(6), value]),
  );
  return { url, route, templateUrl: search.get('templateURL'), stackName: search.get('stackName') ?? '', parameters };
}

async function compare(integration: CreatedIntegration) {
  const link = quickCreate(integration.setup.launchStackUrl ?? '');
  expect(link.url.origin).toBe(`https://${integration.region}.console.aws.amazon.com`);
  expect(link.url.searchParams.get('region')).toBe(integration.region);
  expect(link.route).toBe('/stacks/quickcreate');
  expect(link.templateUrl).toBe(localStack().environment.CUSTOMER_ROLE_TEMPLATE_URL);
  // Every parameter the template declares without a default is in the link, and nothing else.
  const required = Object.entries(customerRoleTemplate.Parameters)
    .filter(([, spec]) => !('Default' in spec))
    .map(([name]) => name);
  expect(Object.keys(link.parameters)).toEqual(expect.arrayContaining(required));
  expect(Object.keys(link.parameters).every((name) => name in customerRoleTemplate.Parameters)).toBe(true);

  const [generic, own] = [uniqueAccountId(), uniqueAccountId()];
  const genericRole = await deployRoleTemplate(generic, customerRoleTemplate, link.parameters, link.stackName);
  const ownRole = await deployRoleTemplate(own, integration.setup.cloudFormationTemplate, {}, 'own');
  const roleName = `s3-integration-${integration.integrationId}`;
  expect(genericRole).toBe(`arn:aws:iam::${generic}:role/${roleName}`);
  expect(ownRole).toBe(`arn:aws:iam::${own}:role/${roleName}`);
  const [fromGeneric, fromOwn] = [await roleDocuments(generic, roleName), await roleDocuments(own, roleName)];
  expect(fromGeneric).toEqual(fromOwn);
  expect(fromOwn.policies).toEqual([integration.setup.iamPolicy]);
  expect(fromOwn.trustPolicy).toEqual(integration.setup.trustPolicy);

  // The platform as validation calls: the runValidationStage function's role.
  const sts = new STSClient({
    endpoint: localStack().awsUrl,
    region: 'us-east-1',
    credentials: await functionCredentials(['runValidationStage']),
  });
  for (const externalId of [
    integration.externalId,
    ...(integration.externalIdRotation ? [integration.externalIdRotation.newExternalId] : []),
  ]) {
    const session = await sts.send(
      new AssumeRoleCommand({ RoleArn: genericRole, RoleSessionName: 'generic', ExternalId: externalId }),
    );
    expect(session.Credentials?.AccessKeyId).toBeDefined();
  }
}

describe('the generic customer role template', () => {
  it('is checked in as generated: run `npx tsx scripts/write-customer-role-template.ts` after changing it', () => {
    expect(readFileSync(CUSTOMER_ROLE_TEMPLATE_FILE, 'utf8')).toBe(customerRoleTemplateText());
  });

  it('creates the same role and policy as the integration documents, from the quick-create link', async () => {
    const project = await platformProject();
    await compare(
      await createIntegration(project, { region: 'us-east-1', bucketName: `generic-${uniqueAccountId()}` }),
    );
  });

  it('accepts both external IDs while a rotation is pending, like the documents do', async () => {
    const project = await platformProject();
    const created = await createIntegration(project, {
      region: 'us-east-1',
      bucketName: `generic-rot-${uniqueAccountId()}`,
    });
    const rotating = await project.client.post(`${project.base}/${created.integrationId}/external-id-rotation`);
    expect(rotating.status, rotating.text).toBe(201);
    await compare(rotating.json as CreatedIntegration);
  });

  it('adds the KMS statement only when the integration names a key', async () => {
    const project = await platformProject();
    const kmsKeyArn = await createKmsKey(uniqueAccountId(), 'us-west-2');
    await compare(
      await createIntegration(project, {
        region: 'us-west-2',
        bucketName: `generic-kms-${uniqueAccountId()}`,
        kmsKeyArn,
      }),
    );
  });
});
