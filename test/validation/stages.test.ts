/**
 * Every validation stage against the local stack, through the HTTP API: the customer sets up its
 * account with the ordinary SDK clients from the documents the API returned (modified per case),
 * PUT .../role starts the real state machine, and GET is polled until the run ends. Each case
 * asserts the code and the message structure of docs/product-contract.md §4.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clientsFor, localStack, uniqueAccountId } from '../support/local-stack';
import { PLATFORM_ACCOUNT, platformProject } from '../support/platform';
import {
  createBucket,
  createIntegration,
  createKmsKey,
  customerSetUp,
  encryptBucketWith,
  failedStage,
  setRoleAndWait,
  uniqueBucketName,
  withoutAction,
} from '../support/customer';

const STAGES = [
  'ASSUME_ROLE',
  'EXTERNAL_ID_ENFORCED',
  'BUCKET_LOCATION',
  'BUCKET_REGION',
  'WRITE_ACCESS',
  'READ_ACCESS',
];
const PLATFORM_PRINCIPAL = String.raw`arn:aws:(?:iam|sts)::111111111111:[^\]]+`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The Go SDK layout of an S3 error, as validation messages show it (shared/validation/aws-error-text.ts). */
const s3Error = (operation: string, status: number, code: string) =>
  String.raw`operation error S3: ${operation}, https response error StatusCode: ${status}, ` +
  String.raw`RequestID: [^,]*, HostID: [^,]*, api error ${code}: `;

describe.concurrent('validation stages', () => {
  it('passes every stage in order and makes the integration ACTIVE with the bucket owner', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, { region: 'us-west-2', bucketName: uniqueBucketName('ok') });
    const { accountId, roleArn } = await customerSetUp(integration);

    const view = await setRoleAndWait(project, integration.integrationId, roleArn);

    expect(view).toMatchObject({
      status: 'ACTIVE',
      roleArn,
      bucketOwnerAccountId: accountId,
      validation: { result: 'SUCCESSFUL' },
    });
    const stages = view.validation?.stages ?? [];
    expect(stages.map((stage) => stage.name)).toEqual(STAGES);
    for (const stage of stages) {
      expect(stage.status).toBe('SUCCEEDED');
      expect(stage.code).toBeUndefined();
      expect(Date.parse(stage.endedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(stage.startedAt));
    }
    expect(Date.parse(view.validation?.endedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(view.validation?.startedAt ?? ''),
    );
    // The probe sits under the reserved prefix and names this run.
    const { s3 } = clientsFor(accountId, 'us-west-2');
    const probe = await s3.send(
      new GetObjectCommand({
        Bucket: integration.bucketName,
        Key: `.s3-integration-probe/${integration.integrationId}/probe.txt`,
      }),
    );
    expect(await probe.Body?.transformToString()).toContain(`validation run: ${view.validation?.runId}`);
  });

  it('passes for a us-east-1 bucket (empty location constraint) and a us-east-1 integration', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, { region: 'us-east-1', bucketName: uniqueBucketName('use1') });
    const { roleArn } = await customerSetUp(integration);
    const view = await setRoleAndWait(project, integration.integrationId, roleArn);
    expect(view.status).toBe('ACTIVE');
  });

  it('fails ASSUME_ROLE when the role does not exist, and keeps the external ID out of the logs', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('norole'),
    });
    const roleArn = `arn:aws:iam::${uniqueAccountId()}:role/does-not-exist`;

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'ASSUME_ROLE', code: 'ROLE_ASSUMPTION_FAILED' });
    expect(stage.message).toMatch(
      new RegExp(
        `^try assume role from\\[${PLATFORM_PRINCIPAL}\\] to \\[${escape(roleArn)}\\] ` +
          `with externalId\\[${escape(integration.externalId)}\\] failed: ` +
          String.raw`operation error STS: AssumeRole, https response error StatusCode: 403, ` +
          String.raw`RequestID: [^,]*, api error AccessDenied: `,
      ),
    );
    expect(readFileSync(localStack().logFile, 'utf8')).not.toContain(integration.externalId);
  });

  it('fails ASSUME_ROLE when the trust policy names another external ID', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('wrongid'),
    });
    const trustPolicy = structuredClone(integration.setup.trustPolicy);
    (trustPolicy.Statement[0] as { Condition: unknown }).Condition = {
      StringEquals: { 'sts:ExternalId': 's3i-someone-elses-id' },
    };
    const { roleArn } = await customerSetUp(integration, { trustPolicy });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'ASSUME_ROLE', code: 'ROLE_ASSUMPTION_FAILED' });
    expect(stage.message).toMatch(
      new RegExp(`^try assume role from\\[${PLATFORM_PRINCIPAL}\\] to \\[${escape(roleArn)}\\] with externalId\\[`),
    );
    expect(stage.message).toContain('StatusCode: 403');
  });

  it('fails ASSUME_ROLE when the trust policy trusts another account', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('otheracct'),
    });
    const trustPolicy = structuredClone(integration.setup.trustPolicy);
    (trustPolicy.Statement[0] as { Principal: unknown }).Principal = { AWS: `arn:aws:iam::${uniqueAccountId()}:root` };
    const { roleArn } = await customerSetUp(integration, { trustPolicy });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'ASSUME_ROLE', code: 'ROLE_ASSUMPTION_FAILED' });
    expect(stage.message).toContain(
      `to [${roleArn}] with externalId[${integration.externalId}] failed: operation error STS: AssumeRole`,
    );
  });

  it('fails EXTERNAL_ID_ENFORCED when the trust policy has no external-ID condition', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('noextid'),
    });
    const trustPolicy = structuredClone(integration.setup.trustPolicy);
    delete (trustPolicy.Statement[0] as { Condition?: unknown }).Condition;
    const { roleArn } = await customerSetUp(integration, { trustPolicy });

    const view = await setRoleAndWait(project, integration.integrationId, roleArn);
    const stage = failedStage(view);

    expect(stage).toMatchObject({ name: 'EXTERNAL_ID_ENFORCED', code: 'EXTERNAL_ID_NOT_ENFORCED' });
    expect(stage.message).toContain(`trust policy of role [${roleArn}] does not enforce the external ID`);
    expect(stage.message).toContain(`"Condition": {"StringEquals": {"sts:ExternalId": "${integration.externalId}"}}`);
    expect(stage.message).toContain(`arn:aws:iam::${PLATFORM_ACCOUNT}:root`);
    expect(view.validation?.stages.map((entry) => entry.name)).toEqual(STAGES.slice(0, 2));
  });

  it('fails BUCKET_LOCATION with 404 NoSuchBucket when the bucket does not exist', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('missing'),
    });
    const { roleArn } = await customerSetUp(integration, { createBucket: false });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'BUCKET_LOCATION', code: 'BUCKET_NOT_FOUND' });
    expect(stage.message).toMatch(
      new RegExp(
        `^check bucket failed: get bucket location: ${s3Error('GetBucketLocation', 404, 'NoSuchBucket')}` +
          'The specified bucket does not exist',
      ),
    );
  });

  it('fails BUCKET_LOCATION with 403 when the policy lacks s3:GetBucketLocation', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('nolocation'),
    });
    const { roleArn } = await customerSetUp(integration, {
      iamPolicy: withoutAction(integration.setup.iamPolicy, 's3:GetBucketLocation'),
    });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'BUCKET_LOCATION', code: 'BUCKET_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(`^check bucket failed: get bucket location: ${s3Error('GetBucketLocation', 403, 'AccessDenied')}`),
    );
    expect(stage.message).toContain(`must allow s3:GetBucketLocation on arn:aws:s3:::${integration.bucketName}`);
  });

  it("fails BUCKET_LOCATION with 403 when the bucket belongs to an account other than the role's", async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('foreign'),
    });
    await createBucket(uniqueAccountId(), integration.bucketName, 'us-west-2');
    const { roleArn } = await customerSetUp(integration, { createBucket: false });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'BUCKET_LOCATION', code: 'BUCKET_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(`^check bucket failed: get bucket location: ${s3Error('GetBucketLocation', 403, 'AccessDenied')}`),
    );
  });

  it('fails BUCKET_REGION when the bucket is in another region', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('region'),
    });
    const { roleArn } = await customerSetUp(integration, { bucketRegion: 'eu-central-1' });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'BUCKET_REGION', code: 'BUCKET_REGION_MISMATCH' });
    expect(stage.message).toMatch(/^bucket region not match, want\[us-west-2\] got\[eu-central-1\]/);
  });

  it('fails BUCKET_REGION for a us-east-1 bucket (empty location constraint) and a us-west-2 integration', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('use1mismatch'),
    });
    const { roleArn } = await customerSetUp(integration, { bucketRegion: 'us-east-1' });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage.message).toMatch(/^bucket region not match, want\[us-west-2\] got\[us-east-1\]/);
  });

  it('fails WRITE_ACCESS naming s3:PutObject when the policy lacks it', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('noput'),
    });
    const { roleArn } = await customerSetUp(integration, {
      iamPolicy: withoutAction(integration.setup.iamPolicy, 's3:PutObject'),
    });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'WRITE_ACCESS', code: 'WRITE_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(`^check bucket failed: put object: ${s3Error('PutObject', 403, 'AccessDenied')}`),
    );
    expect(stage.message).toContain(`must allow s3:PutObject on arn:aws:s3:::${integration.bucketName}/*`);
  });

  it('fails READ_ACCESS naming s3:ListBucket when the policy lacks it', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('nolist'),
    });
    const { roleArn } = await customerSetUp(integration, {
      iamPolicy: withoutAction(integration.setup.iamPolicy, 's3:ListBucket'),
    });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'READ_ACCESS', code: 'LIST_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(`^check bucket failed: list objects: ${s3Error('ListObjectsV2', 403, 'AccessDenied')}`),
    );
    expect(stage.message).toContain(`must allow s3:ListBucket on arn:aws:s3:::${integration.bucketName}`);
  });

  it('fails READ_ACCESS naming s3:GetObject when the policy lacks it', async () => {
    const project = await platformProject();
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('noget'),
    });
    const { roleArn } = await customerSetUp(integration, {
      iamPolicy: withoutAction(integration.setup.iamPolicy, 's3:GetObject'),
    });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'READ_ACCESS', code: 'READ_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(`^check bucket failed: get object: ${s3Error('GetObject', 403, 'AccessDenied')}`),
    );
    expect(stage.message).toContain(`must allow s3:GetObject on arn:aws:s3:::${integration.bucketName}/*`);
  });

  it('fails WRITE_ACCESS with KMS_ACCESS_DENIED on an SSE-KMS bucket when kms:GenerateDataKey is missing', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const kmsKeyArn = await createKmsKey(accountId, 'us-west-2');
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('kmsdenied'),
      kmsKeyArn,
    });
    await createBucket(accountId, integration.bucketName, 'us-west-2');
    await encryptBucketWith(accountId, integration.bucketName, 'us-west-2', kmsKeyArn);
    const { roleArn } = await customerSetUp(integration, {
      accountId,
      createBucket: false,
      iamPolicy: withoutAction(integration.setup.iamPolicy, 'kms:GenerateDataKey'),
    });

    const stage = failedStage(await setRoleAndWait(project, integration.integrationId, roleArn));

    expect(stage).toMatchObject({ name: 'WRITE_ACCESS', code: 'KMS_ACCESS_DENIED' });
    expect(stage.message).toMatch(
      new RegExp(`^check bucket failed: put object: ${s3Error('PutObject', 403, 'AccessDenied')}`),
    );
    expect(stage.message).toContain(`must allow kms:GenerateDataKey and kms:Decrypt on ${kmsKeyArn}`);
  });

  it('passes on an SSE-KMS bucket when the policy allows kms:GenerateDataKey', async () => {
    const project = await platformProject();
    const accountId = uniqueAccountId();
    const kmsKeyArn = await createKmsKey(accountId, 'us-west-2');
    const integration = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: uniqueBucketName('kmsok'),
      kmsKeyArn,
    });
    await createBucket(accountId, integration.bucketName, 'us-west-2');
    await encryptBucketWith(accountId, integration.bucketName, 'us-west-2', kmsKeyArn);
    const { roleArn } = await customerSetUp(integration, { accountId, createBucket: false });

    const view = await setRoleAndWait(project, integration.integrationId, roleArn);

    expect(view).toMatchObject({ status: 'ACTIVE', bucketOwnerAccountId: accountId });
    const { s3 } = clientsFor(accountId, 'us-west-2');
    const probe = await s3.send(
      new GetObjectCommand({
        Bucket: integration.bucketName,
        Key: `.s3-integration-probe/${integration.integrationId}/probe.txt`,
      }),
    );
    expect(probe).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyArn });
  });
});
