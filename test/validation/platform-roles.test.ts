/**
 * The stack runs validation as its function's own role, Deny statements included: an integration
 * that names one of the platform's own roles cannot make validation assume it, even a role whose
 * trust policy would let it in. The same role, assumed by a platform principal without that Deny,
 * shows that only the runValidationStage role's Deny stands in the way.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';
import { createIntegration, createRole, failedStage, setRoleAndWait, uniqueBucketName } from '../support/customer';
import { roleSession } from '../support/function-roles';
import { localStack } from '../support/local-stack';
import { platformProject } from '../support/platform';

describe('validation as the runValidationStage role', () => {
  it('refuses to assume a platform role, even one whose trust policy and external id would let it in', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-east-1',
      bucketName: uniqueBucketName('own-role'),
    });
    // A role of the platform's own account that trusts the platform account with this external id.
    const ownRole = await createRole(PLATFORM_ACCOUNT_ID, {
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:root` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': integration.externalId } },
          },
        ],
      },
      iamPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] },
    });

    // A platform principal allowed to assume any role gets in: the trust policy alone does not stop it.
    const unrestricted = await roleSession(PLATFORM_ACCOUNT_ID, [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
    ]);
    const sts = new STSClient({ endpoint: localStack().awsUrl, region: 'us-east-1', credentials: unrestricted });
    await expect(
      sts.send(
        new AssumeRoleCommand({ RoleArn: ownRole, RoleSessionName: 'probe', ExternalId: integration.externalId }),
      ),
    ).resolves.toBeTruthy();

    const view = await setRoleAndWait(project, integration.integrationId, ownRole);
    const stage = failedStage(view);
    expect(stage).toMatchObject({ name: 'ASSUME_ROLE', code: 'ROLE_ASSUMPTION_FAILED' });
    expect(stage.message).toContain('assumed-role/s3-integrations-dev-runValidationStage-us-east-1-lambdaRole/');
    expect(stage.message).toContain(
      `is not authorized to perform: sts:AssumeRole on resource: ${ownRole} ` +
        'with an explicit deny in an identity-based policy',
    );
  });
});
