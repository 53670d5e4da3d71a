/**
 * The local IAM's roles and managed policies (create, attach, version, delete) through the real IAM client,
 * with AWS's answers and errors.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOMER,
  OTHER,
  PLATFORM,
  allowAll,
  assumeRole,
  clientConfig,
  createRole,
  failure,
  functionSession,
  rootCredentials,
  startFixture,
  trustAccount,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
let iam: IAMClient;
beforeAll(async () => {
  fixture = await startFixture();
  iam = new IAMClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
});
afterAll(() => fixture.stop());

const bucketPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::customer-bucket/*' },
  ],
});

describe('IAM managed policies', () => {
  it('creates a policy and reads it back with its URL-encoded document', async () => {
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'export-access', PolicyDocument: bucketPolicy, Description: 'exports' }),
    );
    expect(created.Policy).toMatchObject({
      PolicyName: 'export-access',
      Arn: `arn:aws:iam::${CUSTOMER}:policy/export-access`,
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
    });
    expect(created.Policy?.CreateDate).toBeInstanceOf(Date);
    const fetched = await iam.send(new GetPolicyCommand({ PolicyArn: created.Policy?.Arn }));
    expect(fetched.Policy?.Description).toBe('exports');
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: created.Policy?.Arn, VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? ''))).toEqual(JSON.parse(bucketPolicy));
    const listed = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(listed.Policies?.map((policy) => policy.PolicyName)).toContain('export-access');
  });

  it('answers EntityAlreadyExists (409), NoSuchEntity (404) and MalformedPolicyDocument (400)', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'dup', PolicyDocument: bucketPolicy }));
    expect(
      await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'DUP', PolicyDocument: bucketPolicy }))),
    ).toMatchObject({ name: 'EntityAlreadyExistsException', status: 409 });
    expect(
      await failure(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${CUSTOMER}:policy/missing` }))),
    ).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    expect(
      await failure(
        iam.send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: '{"Statement":[{"Effect":"Allow"}]}' })),
      ),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      status: 400,
    });
  });

  it('refuses to delete an attached policy (DeleteConflict) and deletes it once detached', async () => {
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'attached', PolicyDocument: bucketPolicy }));
    await iam.send(
      new CreateRoleCommand({ RoleName: 'holder', AssumeRolePolicyDocument: JSON.stringify(trustAccount(PLATFORM)) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: policy.Policy?.Arn }));
    expect(await failure(iam.send(new DeletePolicyCommand({ PolicyArn: policy.Policy?.Arn })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'holder', PolicyArn: policy.Policy?.Arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policy.Policy?.Arn }));
    expect(await failure(iam.send(new GetPolicyCommand({ PolicyArn: policy.Policy?.Arn })))).toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('makes a new default policy version take effect for the role', async () => {
    const roleArn = await createRole(fixture, CUSTOMER, 'versioned', trustAccount(PLATFORM), allowAll('s3:GetObject'));
    const policyArn = `arn:aws:iam::${CUSTOMER}:policy/versioned-policy`;
    const session = await assumeRole(fixture, await functionSession(fixture), roleArn);
    const asRole = new IAMClient(clientConfig(fixture, session));
    expect(await failure(asRole.send(new GetRoleCommand({ RoleName: 'versioned' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        PolicyDocument: JSON.stringify(allowAll('iam:Get*')),
        SetAsDefault: true,
      }),
    );
    await expect(asRole.send(new GetRoleCommand({ RoleName: 'versioned' }))).resolves.toBeTruthy();
  });
});

describe('IAM roles', () => {
  it('creates a role, returns its trust policy URL-encoded, and updates it', async () => {
    const trust = JSON.stringify(trustAccount(PLATFORM, 'ext-1'));
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: 'customer-role', Path: '/integrations/', AssumeRolePolicyDocument: trust }),
    );
    expect(created.Role).toMatchObject({
      RoleName: 'customer-role',
      Path: '/integrations/',
      Arn: `arn:aws:iam::${CUSTOMER}:role/integrations/customer-role`,
      MaxSessionDuration: 3600,
    });
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(decodeURIComponent(created.Role?.AssumeRolePolicyDocument ?? '')).toBe(trust);
    const updated = JSON.stringify(trustAccount(PLATFORM, 'ext-2'));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'customer-role', PolicyDocument: updated }));
    const fetched = await iam.send(new GetRoleCommand({ RoleName: 'customer-role' }));
    expect(decodeURIComponent(fetched.Role?.AssumeRolePolicyDocument ?? '')).toBe(updated);
    expect(
      await failure(iam.send(new CreateRoleCommand({ RoleName: 'CUSTOMER-ROLE', AssumeRolePolicyDocument: trust }))),
    ).toMatchObject({ name: 'EntityAlreadyExistsException', status: 409 });
  });

  it('refuses a trust policy without a principal and an unknown role', async () => {
    const noPrincipal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
    });
    expect(
      await failure(
        iam.send(new CreateRoleCommand({ RoleName: 'no-principal', AssumeRolePolicyDocument: noPrincipal })),
      ),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
    expect(await failure(iam.send(new GetRoleCommand({ RoleName: 'ghost' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'ghost' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
  });

  it('manages inline policies and refuses to delete a role that still has policies', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'inline-role',
        AssumeRolePolicyDocument: JSON.stringify(trustAccount(PLATFORM)),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'bucket', PolicyDocument: bucketPolicy }),
    );
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-role' }))).PolicyNames).toEqual(['bucket']);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'bucket' }));
    expect(decodeURIComponent(inline.PolicyDocument ?? '')).toBe(bucketPolicy);
    expect(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'bucket' }));
    expect(
      await failure(iam.send(new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'bucket' }))),
    ).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    await iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' }));
  });

  it("lists attached policies, and refuses to attach another account's policy", async () => {
    const foreign = await new IAMClient(clientConfig(fixture, rootCredentials(OTHER))).send(
      new CreatePolicyCommand({ PolicyName: 'foreign', PolicyDocument: bucketPolicy }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'attach-role',
        AssumeRolePolicyDocument: JSON.stringify(trustAccount(PLATFORM)),
      }),
    );
    expect(
      await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: foreign.Policy?.Arn }))),
    ).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
    const own = await iam.send(new CreatePolicyCommand({ PolicyName: 'own', PolicyDocument: bucketPolicy }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: own.Policy?.Arn }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'attach-role' }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'own', PolicyArn: own.Policy?.Arn }]);
  });

  it("keeps accounts apart: another account cannot read this account's roles", async () => {
    const other = new IAMClient(clientConfig(fixture, rootCredentials(OTHER)));
    expect(await failure(other.send(new GetRoleCommand({ RoleName: 'customer-role' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect(
      await failure(other.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${CUSTOMER}:policy/export-access` }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
  });
});
