/**
 * A bucket with default SSE-KMS encryption, connected by an integration that names no key: the
 * customer's dead end of issue 13. Validation's KMS_ACCESS_DENIED now names the bucket's key and
 * says every step; the customer (the ordinary SDK clients, on the local stack) does exactly what
 * the message says, and the next validation passes. When KMS does not name the key (a key of
 * another account), validation reads it from the bucket's default encryption. The same when the
 * key's own policy does not let the role use it: the customer adds what the message asks to the
 * key policy.
 */
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { clientsFor, uniqueAccountId } from '../support/local-stack';
import { platformProject, type Project } from '../support/platform';
import {
  createBucket,
  createIntegration,
  createKmsKey,
  customerSetUp,
  encryptBucketWith,
  failedStage,
  setRoleAndWait,
  uniqueBucketName,
  waitForResult,
  withoutAction,
} from '../support/customer';

const REGION = 'us-west-2';
const validate = async (project: Project, integrationId: string) => {
  expect((await project.client.post(`${project.base}/${integrationId}/validate`)).status).toBe(202);
  return waitForResult(project, integrationId);
};
const roleNameOf = (view: IntegrationView) => (view.roleArn ?? '').split('/').pop() ?? '';

/** The customer's fix in their own account: an inline policy allowing `actions` on `keyArn`. */
async function allowOnKey(accountId: string, roleArn: string, actions: string[], keyArn: string) {
  await clientsFor(accountId).iam.send(
    new PutRolePolicyCommand({
      RoleName: roleNameOf({ roleArn } as IntegrationView),
      PolicyName: 'allow-bucket-key',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: actions, Resource: keyArn }],
      }),
    }),
  );
}

/** What a KMS_ACCESS_DENIED for a named key asks of the role's policy and the key policy: the actions and the key. */
function keyActionsAsked(message: string): { actions: string[]; keyArn: string } | undefined {
  const asked =
    /the role's policy and the key policy must allow (kms:\w+(?: and kms:\w+)*) on (arn:aws:kms:[^,\s]+),/.exec(
      message,
    );
  return asked?.[1] && asked[2] ? { actions: asked[1].split(' and '), keyArn: asked[2] } : undefined;
}

/** The steps the message gives, read from it as a person would. */
function stepsIn(message: string) {
  const patch = /\(PATCH \.\.\.\/integrations\/\{integrationId\} with (\{[^}]*\})\)/.exec(message)?.[1];
  const allow = /allow (kms:GenerateDataKey and kms:Decrypt) on (arn:aws:kms:\S+) in the role's policy/.exec(message);
  return {
    patchBody: patch ? (JSON.parse(patch) as { kmsKeyArn: string }) : undefined,
    actions: allow?.[1]?.split(' and '),
    keyArn: allow?.[2],
  };
}

describe('an SSE-KMS bucket connected without a key', () => {
  it('names the bucket key and every step; following the message exactly makes the next validation pass', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const bucketKey = await createKmsKey(accountId, REGION);
    const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('ssekms') });
    await createBucket(accountId, created.bucketName, REGION);
    await encryptBucketWith(accountId, created.bucketName, REGION, bucketKey);
    const { roleArn } = await customerSetUp(created, { accountId, createBucket: false });

    const first = failedStage(await setRoleAndWait(project, created.integrationId, roleArn));
    expect(first).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
    expect(first.message).toMatch(
      new RegExp(
        '^check bucket failed: put object: operation error S3: PutObject, ' +
          'https response error StatusCode: 403, .*api error AccessDenied: ',
      ),
    );
    expect(first.message).toContain(
      `the bucket encrypts new objects with the KMS key ${bucketKey} (default encryption SSE-KMS), which the ` +
        `integration does not name`,
    );

    // What the customer of the issue did: allow the key in the role's policy only. Still refused, and the message
    // still says why.
    const { iam } = clientsFor(accountId);
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleNameOf({ roleArn } as IntegrationView),
        PolicyName: 'allow-bucket-key',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: bucketKey }],
        }),
      }),
    );
    const second = failedStage(await validate(project, created.integrationId));
    expect(second.code).toBe('KMS_ACCESS_DENIED');
    expect(second.message).toContain(`{"kmsKeyArn": "${bucketKey}"}`);

    // To the letter: set the key on the integration, allow both actions on it in the role's policy
    // (the key policy is the default one, which leaves it to IAM), validate again.
    const steps = stepsIn(second.message);
    expect(steps).toEqual({
      patchBody: { kmsKeyArn: bucketKey },
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: bucketKey,
    });
    const patched = await project.client.patch(`${project.base}/${created.integrationId}`, steps.patchBody);
    expect(patched.status, patched.text).toBe(200);
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleNameOf({ roleArn } as IntegrationView),
        PolicyName: 'allow-bucket-key',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: steps.actions, Resource: steps.keyArn }],
        }),
      }),
    );
    const fixed = await validate(project, created.integrationId);
    expect(fixed, JSON.stringify(fixed.validation)).toMatchObject({
      status: 'ACTIVE',
      kmsKeyArn: bucketKey,
      validation: { result: 'SUCCESSFUL' },
    });
  });

  it(
    'a key of another account, which KMS does not name: read from the bucket default encryption, with the same ' +
      'steps',
    async () => {
      const project = await platformProject();
      const accountId = uniqueAccountId();
      const foreignKey = await createKmsKey(uniqueAccountId(), REGION);
      const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('foreignkey') });
      await createBucket(accountId, created.bucketName, REGION);
      await encryptBucketWith(accountId, created.bucketName, REGION, foreignKey);
      const { roleArn } = await customerSetUp(created, { accountId, createBucket: false });

      const stage = failedStage(await setRoleAndWait(project, created.integrationId, roleArn));
      expect(stage).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
      // The refusal itself hides the key ...
      expect(stage.message).toContain('on this resource because the resource does not exist in this Region');
      // ... the bucket's default encryption names it.
      expect(stepsIn(stage.message)).toEqual({
        patchBody: { kmsKeyArn: foreignKey },
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        keyArn: foreignKey,
      });
    },
  );

  it('a role from documents without s3:GetEncryptionConfiguration: the message says how to find the key', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const foreignKey = await createKmsKey(uniqueAccountId(), REGION);
    const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('olddocs') });
    await createBucket(accountId, created.bucketName, REGION);
    await encryptBucketWith(accountId, created.bucketName, REGION, foreignKey);
    const { roleArn } = await customerSetUp(created, {
      accountId,
      createBucket: false,
      iamPolicy: withoutAction(created.setup.iamPolicy, 's3:GetEncryptionConfiguration'),
    });
    const stage = failedStage(await setRoleAndWait(project, created.integrationId, roleArn));
    expect(stage.code).toBe('KMS_ACCESS_DENIED');
    expect(stage.message).toContain(`find its ARN (aws s3api get-bucket-encryption --bucket ${created.bucketName})`);
    expect(stage.message).not.toContain(foreignKey);
  });

  it('an integration whose key is not the bucket default key is told which key the bucket uses', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const [bucketKey, namedKey] = [
      await createKmsKey(accountId, REGION),
      await createKmsKey(uniqueAccountId(), REGION),
    ];
    const created = await createIntegration(project, {
      region: REGION,
      bucketName: uniqueBucketName('wrongkey'),
      kmsKeyArn: namedKey,
    });
    await createBucket(accountId, created.bucketName, REGION);
    await encryptBucketWith(accountId, created.bucketName, REGION, bucketKey);
    const { roleArn } = await customerSetUp(created, { accountId, createBucket: false });
    const stage = failedStage(await setRoleAndWait(project, created.integrationId, roleArn));
    expect(stage.code).toBe('KMS_ACCESS_DENIED');
    expect(stage.message).toContain(`must allow kms:GenerateDataKey and kms:Decrypt on ${namedKey}`);
    expect(stage.message).toContain(
      `the bucket's default encryption uses ${bucketKey}: if that is the key meant, instead set it as the ` +
        `integration's KMS key`,
    );

    // The "instead" steps, to the letter, make the next validation pass.
    const steps = stepsIn(stage.message);
    expect(steps).toEqual({
      patchBody: { kmsKeyArn: bucketKey },
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: bucketKey,
    });
    expect((await project.client.patch(`${project.base}/${created.integrationId}`, steps.patchBody)).status).toBe(200);
    await allowOnKey(accountId, roleArn, steps.actions ?? [], steps.keyArn ?? '');
    const fixed = await validate(project, created.integrationId);
    expect(fixed, JSON.stringify(fixed.validation)).toMatchObject({ status: 'ACTIVE', kmsKeyArn: bucketKey });
  });
});

describe('an integration that names the bucket key, with a role that may not use it', () => {
  it('asks for both KMS actions; allowing exactly what it says makes the next validation pass', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const kmsKeyArn = await createKmsKey(accountId, REGION);
    const created = await createIntegration(project, {
      region: REGION,
      bucketName: uniqueBucketName('namedkey'),
      kmsKeyArn,
    });
    await createBucket(accountId, created.bucketName, REGION);
    await encryptBucketWith(accountId, created.bucketName, REGION, kmsKeyArn);
    // A role whose policy left out the documents' KMS statement.
    const { roleArn } = await customerSetUp(created, {
      accountId,
      createBucket: false,
      iamPolicy: withoutAction(withoutAction(created.setup.iamPolicy, 'kms:GenerateDataKey'), 'kms:Decrypt'),
    });
    const first = failedStage(await setRoleAndWait(project, created.integrationId, roleArn));
    expect(first).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });

    // To the letter: allow what the message names, on the key it names, and nothing else.
    const asked = keyActionsAsked(first.message);
    expect(asked).toEqual({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], keyArn: kmsKeyArn });
    await allowOnKey(accountId, roleArn, asked?.actions ?? [], asked?.keyArn ?? '');
    // The read-back of the probe needs kms:Decrypt as in AWS: asking for kms:GenerateDataKey alone would fail here.
    const fixed = await validate(project, created.integrationId);
    expect(fixed, JSON.stringify(fixed.validation)).toMatchObject({
      status: 'ACTIVE',
      validation: { result: 'SUCCESSFUL' },
    });
  });
});

describe('a bucket key whose key policy does not allow the role', () => {
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

  it('names the key policy; adding the statement it asks for to it makes the next validation pass', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const { kms } = clientsFor(accountId, REGION);
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Description: 'bucket key', Policy: JSON.stringify(administratorsOnly(accountId)) }),
    );
    const kmsKeyArn = KeyMetadata?.Arn ?? '';
    const created = await createIntegration(project, {
      region: REGION,
      bucketName: uniqueBucketName('keypolicy'),
      kmsKeyArn,
    });
    await createBucket(accountId, created.bucketName, REGION);
    await encryptBucketWith(accountId, created.bucketName, REGION, kmsKeyArn);
    // The role's policy is the setup documents' own, which allows both KMS actions on the key.
    const { roleArn } = await customerSetUp(created, { accountId, createBucket: false });

    const first = failedStage(await setRoleAndWait(project, created.integrationId, roleArn));
    expect(first).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
    expect(first.message).toContain(
      `kms:GenerateDataKey on resource: ${kmsKeyArn} because no resource-based policy allows the ` +
        'kms:GenerateDataKey action',
    );

    // To the letter: a key policy statement that allows the role what the message names, on that key.
    const asked = keyActionsAsked(first.message);
    expect(asked).toEqual({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], keyArn: kmsKeyArn });
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: asked?.keyArn }))).Policy ?? '{}');
    policy.Statement.push({ Effect: 'Allow', Principal: { AWS: roleArn }, Action: asked?.actions, Resource: '*' });
    await kms.send(new PutKeyPolicyCommand({ KeyId: asked?.keyArn, Policy: JSON.stringify(policy) }));
    const fixed = await validate(project, created.integrationId);
    expect(fixed, JSON.stringify(fixed.validation)).toMatchObject({
      status: 'ACTIVE',
      kmsKeyArn,
      validation: { result: 'SUCCESSFUL' },
    });
  });
});
