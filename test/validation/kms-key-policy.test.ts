/**
 * A customer key whose key policy does not let the integration's role use it: the role's IAM
 * policy (from the setup documents) allows the key, but the key policy only names the key's
 * administrators and does not delegate to IAM, so KMS refuses the validation probe as AWS does
 * ("no resource-based policy allows"). Validation's KMS_ACCESS_DENIED says the key policy must
 * allow both actions; the customer adds exactly that statement to the key policy (the ordinary SDK
 * client, on the local stack), and the next validation passes.
 */
import { CreateKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { clientsFor, uniqueAccountId } from '../support/local-stack';
import { platformProject } from '../support/platform';
import {
  createBucket,
  createIntegration,
  customerSetUp,
  encryptBucketWith,
  failedStage,
  setRoleAndWait,
  uniqueBucketName,
  waitForResult,
} from '../support/customer';

const REGION = 'us-west-2';

/** A key policy as customers often write one: administrators only, no "Enable IAM User Permissions". */
const administratorsOnly = (accountId: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'KeyAdministrators',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: ['kms:Describe*', 'kms:Get*', 'kms:PutKeyPolicy', 'kms:EnableKey', 'kms:DisableKey'],
      Resource: '*',
    },
  ],
});

describe('a bucket key whose key policy does not allow the role', () => {
  it('fails with KMS_ACCESS_DENIED naming the key policy; adding what it asks to the key policy makes the next validation pass', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const { kms } = clientsFor(accountId, REGION);
    const created = await kms.send(
      new CreateKeyCommand({ Description: 'bucket key', Policy: JSON.stringify(administratorsOnly(accountId)) }),
    );
    const kmsKeyArn = created.KeyMetadata?.Arn ?? '';
    const integration = await createIntegration(project, {
      region: REGION,
      bucketName: uniqueBucketName('keypolicy'),
      kmsKeyArn,
    });
    await createBucket(accountId, integration.bucketName, REGION);
    await encryptBucketWith(accountId, integration.bucketName, REGION, kmsKeyArn);
    // The role's policy is the setup documents' own, which allows both KMS actions on the key.
    const { roleArn } = await customerSetUp(integration, { accountId, createBucket: false });

    const first = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));
    expect(first).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
    expect(first.message).toContain(
      `kms:GenerateDataKey on resource: ${kmsKeyArn} because no resource-based policy allows the kms:GenerateDataKey action`,
    );

    // To the letter: the key policy must allow the actions the message names, on the key it names, to the role.
    const asked =
      /the role's policy and the key policy must allow (kms:\w+(?: and kms:\w+)*) on (arn:aws:kms:[^,\s]+),/.exec(
        first.message,
      );
    expect(asked?.slice(1)).toEqual(['kms:GenerateDataKey and kms:Decrypt', kmsKeyArn]);
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: kmsKeyArn }))).Policy ?? '{}');
    policy.Statement.push({
      Sid: 'S3IntegrationRole',
      Effect: 'Allow',
      Principal: { AWS: roleArn },
      Action: asked?.[1]?.split(' and '),
      Resource: '*',
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: asked?.[2], Policy: JSON.stringify(policy) }));

    expect((await project.client.post(`${project.base}/${integration.integrationId}/validate`)).status).toBe(202);
    const fixed = await waitForResult(project, integration.integrationId);
    expect(fixed, JSON.stringify(fixed.validation)).toMatchObject({
      status: 'ACTIVE',
      kmsKeyArn,
      validation: { result: 'SUCCESSFUL' },
    });
  });
});
