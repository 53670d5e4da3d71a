/**
 * IAM over the Query protocol (form body `Action=...&Version=2010-05-08`), answering in the XML
 * shapes @aws-sdk/client-iam parses. Every action needs the matching `iam:` permission on the
 * role or policy it touches (root callers have it in their own account). Documents are returned
 * URL-encoded, as IAM does. Lists are answered in one page (IsTruncated is always false).
 */
import { AwsError, type Authorize, type Caller, type ServiceHandler } from '#endpoint/contract';
import type { IamStore, StoredPolicy, StoredPolicyVersion, StoredRole } from '#endpoint/iam-store';
import { validationError } from '#endpoint/iam-store';
import { sendQueryResult, type XmlValue } from '#endpoint/protocols';

type Params = URLSearchParams;
type Result = Record<string, XmlValue> | undefined;
type Action = (caller: Caller, params: Params) => Result;

export function createIamService(deps: { store: IamStore; authorize: Authorize }): ServiceHandler {
  const { store, authorize } = deps;

  const allow = (caller: Caller, action: string, resource: string, context: Record<string, string> = {}) =>
    authorize(caller, { action: `iam:${action}`, resource, context });

  /** The role's real ARN when it exists (paths are part of it), else the path-less one. */
  const roleArn = (caller: Caller, roleName: string) =>
    store.findRole(caller.accountId, roleName)?.arn ?? `arn:aws:iam::${caller.accountId}:role/${roleName}`;

  const onRole =
    (action: string, run: (caller: Caller, roleName: string, params: Params) => Result): Action =>
    (caller, params) => {
      const roleName = required(params, 'RoleName');
      allow(caller, action, roleArn(caller, roleName), policyArnContext(params));
      return run(caller, roleName, params);
    };

  const onPolicy =
    (action: string, run: (policyArn: string, params: Params) => Result): Action =>
    (caller, params) => {
      const policyArn = required(params, 'PolicyArn');
      allow(caller, action, policyArn);
      return run(policyArn, params);
    };

  const policyXml = (policy: StoredPolicy): Record<string, XmlValue> => ({
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: store.attachmentCount(policy.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
  });

  const versionXml = (policy: StoredPolicy, version: StoredPolicyVersion): Record<string, XmlValue> => ({
    Document: encodeURIComponent(version.document),
    VersionId: version.versionId,
    IsDefaultVersion: version.versionId === policy.defaultVersionId,
    CreateDate: new Date(version.createDate),
  });

  const actions: Record<string, Action> = {
    CreatePolicy: (caller, params) => {
      const policyName = required(params, 'PolicyName');
      const path = params.get('Path') ?? '/';
      allow(caller, 'CreatePolicy', `arn:aws:iam::${caller.accountId}:policy${path}${policyName}`);
      const policy = store.createPolicy(caller.accountId, {
        policyName,
        path,
        document: required(params, 'PolicyDocument'),
        description: params.get('Description') ?? undefined,
      });
      return { Policy: policyXml(policy) };
    },
    GetPolicy: onPolicy('GetPolicy', (arn) => ({ Policy: policyXml(store.policyByArn(arn)) })),
    GetPolicyVersion: onPolicy('GetPolicyVersion', (arn, params) => {
      const policy = store.policyByArn(arn);
      return { PolicyVersion: versionXml(policy, store.policyVersion(arn, required(params, 'VersionId'))) };
    }),
    CreatePolicyVersion: onPolicy('CreatePolicyVersion', (arn, params) => {
      const version = store.createPolicyVersion(
        arn,
        required(params, 'PolicyDocument'),
        params.get('SetAsDefault') === 'true',
      );
      return { PolicyVersion: versionXml(store.policyByArn(arn), version) };
    }),
    ListPolicyVersions: onPolicy('ListPolicyVersions', (arn) => {
      const policy = store.policyByArn(arn);
      return { Versions: policy.versions.map((version) => versionXml(policy, version)), IsTruncated: false };
    }),
    DeletePolicyVersion: onPolicy('DeletePolicyVersion', (arn, params) => {
      store.deletePolicyVersion(arn, required(params, 'VersionId'));
      return undefined;
    }),
    DeletePolicy: onPolicy('DeletePolicy', (arn) => {
      store.deletePolicy(arn);
      return undefined;
    }),
    ListPolicies: (caller, params) => {
      allow(caller, 'ListPolicies', '*', { 'aws:ResourceAccount': caller.accountId });
      // Only customer managed policies exist locally, so Scope=AWS lists nothing.
      const policies = params.get('Scope') === 'AWS' ? [] : store.listPolicies(caller.accountId);
      return { Policies: policies.map(policyXml), IsTruncated: false };
    },

    CreateRole: (caller, params) => {
      const roleName = required(params, 'RoleName');
      const path = params.get('Path') ?? '/';
      allow(caller, 'CreateRole', `arn:aws:iam::${caller.accountId}:role${path}${roleName}`);
      const maxSessionDuration = params.get('MaxSessionDuration');
      const role = store.createRole(caller.accountId, {
        roleName,
        path,
        trustPolicy: required(params, 'AssumeRolePolicyDocument'),
        description: params.get('Description') ?? undefined,
        maxSessionDuration: maxSessionDuration === null ? 3600 : Number(maxSessionDuration),
      });
      return { Role: roleXml(role) };
    },
    GetRole: onRole('GetRole', (caller, roleName) => ({ Role: roleXml(store.role(caller.accountId, roleName)) })),
    DeleteRole: onRole('DeleteRole', (caller, roleName) => {
      store.deleteRole(caller.accountId, roleName);
      return undefined;
    }),
    UpdateAssumeRolePolicy: onRole('UpdateAssumeRolePolicy', (caller, roleName, params) => {
      store.updateTrustPolicy(caller.accountId, roleName, required(params, 'PolicyDocument'));
      return undefined;
    }),
    AttachRolePolicy: onRole('AttachRolePolicy', (caller, roleName, params) => {
      store.attachRolePolicy(caller.accountId, roleName, required(params, 'PolicyArn'));
      return undefined;
    }),
    DetachRolePolicy: onRole('DetachRolePolicy', (caller, roleName, params) => {
      store.detachRolePolicy(caller.accountId, roleName, required(params, 'PolicyArn'));
      return undefined;
    }),
    ListAttachedRolePolicies: onRole('ListAttachedRolePolicies', (caller, roleName) => {
      const attached = store.role(caller.accountId, roleName).attachedPolicyArns.map((arn) => ({
        PolicyName: arn.slice(arn.lastIndexOf('/') + 1),
        PolicyArn: arn,
      }));
      return { AttachedPolicies: attached, IsTruncated: false };
    }),
    PutRolePolicy: onRole('PutRolePolicy', (caller, roleName, params) => {
      store.putRolePolicy(
        caller.accountId,
        roleName,
        required(params, 'PolicyName'),
        required(params, 'PolicyDocument'),
      );
      return undefined;
    }),
    GetRolePolicy: onRole('GetRolePolicy', (caller, roleName, params) => {
      const policyName = required(params, 'PolicyName');
      const document = store.rolePolicy(caller.accountId, roleName, policyName);
      return { RoleName: roleName, PolicyName: policyName, PolicyDocument: encodeURIComponent(document) };
    }),
    DeleteRolePolicy: onRole('DeleteRolePolicy', (caller, roleName, params) => {
      store.deleteRolePolicy(caller.accountId, roleName, required(params, 'PolicyName'));
      return undefined;
    }),
    ListRolePolicies: onRole('ListRolePolicies', (caller, roleName) => ({
      PolicyNames: Object.keys(store.role(caller.accountId, roleName).inlinePolicies),
      IsTruncated: false,
    })),
  };

  return async (request, response) => {
    const params = await queryParams(request.raw.method, request.url, request.readBody);
    const name = params.get('Action') ?? '';
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (!action || params.get('Version') !== '2010-05-08') {
      throw new AwsError('InvalidAction', `The action ${name} is not valid for this web service.`, 400);
    }
    sendQueryResult(response, 'iam', name, action(request.caller, params));
  };
}

export function roleXml(role: StoredRole): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
  };
}

/** Query-protocol parameters: the form body of a POST, or the URL query of a GET. */
export async function queryParams(
  method: string | undefined,
  url: URL,
  readBody: () => Promise<Buffer>,
): Promise<URLSearchParams> {
  if (method === 'GET') return url.searchParams;
  return new URLSearchParams((await readBody()).toString('utf8'));
}

export function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw validationError(`The request must contain the parameter ${name}.`);
  return value;
}

function policyArnContext(params: Params): Record<string, string> {
  const policyArn = params.get('PolicyArn');
  return policyArn ? { 'iam:PolicyARN': policyArn } : {};
}
