/**
 * IAM state of every local account: customer managed policies (with versions) and roles (trust
 * policy, attached managed policies, inline policies). Documents are stored as the JSON text the
 * caller sent, after parsePolicyDocument accepted them. Names are unique per account without
 * regard to case, as in IAM. Not modelled: IAM users, groups, instance profiles, AWS managed
 * policies (arn:aws:iam::aws:policy/...), tags, permission boundaries.
 */
import { AwsError, type Caller, type PolicyDocument } from '#endpoint/contract';
import { randomId } from '#endpoint/accounts';
import { parsePolicyDocument } from '#endpoint/policy/document';
import { openStateFile } from '#endpoint/state-file';

export interface StoredPolicyVersion {
  versionId: string;
  document: string;
  createDate: string;
}

export interface StoredPolicy {
  accountId: string;
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  versions: StoredPolicyVersion[];
  nextVersionNumber: number;
}

export interface StoredRole {
  accountId: string;
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  description?: string;
  createDate: string;
  maxSessionDuration: number;
  trustPolicy: string;
  attachedPolicyArns: string[];
  inlinePolicies: Record<string, string>;
}

interface IamState {
  roles: Record<string, StoredRole>;
  policies: Record<string, StoredPolicy>;
}

const MAX_POLICY_VERSIONS = 5;
const NAME = /^[\w+=,.@-]+$/;
const PATH = /^\/(?:[\x21-\x7E]+\/)?$/;

const key = (accountId: string, name: string) => `${accountId}:${name.toLowerCase()}`;
const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);

export type IamStore = ReturnType<typeof createIamStore>;

export function createIamStore(dataDir: string, now: () => number) {
  const file = openStateFile<IamState>(dataDir, 'iam', () => ({ roles: {}, policies: {} }));
  const { roles, policies } = file.state;
  const timestamp = () => new Date(now()).toISOString();

  const policyByArn = (arn: string): StoredPolicy => {
    const match = /^arn:aws:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    const policy = match?.[1] && match[2] ? policies[key(match[1], match[2])] : undefined;
    if (!policy || policy.arn !== arn) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return policy;
  };

  const role = (accountId: string, roleName: string): StoredRole => {
    const found = roles[key(accountId, roleName)];
    if (!found) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
    return found;
  };

  const version = (policy: StoredPolicy, versionId: string): StoredPolicyVersion => {
    const found = policy.versions.find((candidate) => candidate.versionId === versionId);
    if (!found) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
    return found;
  };

  return {
    createPolicy(
      accountId: string,
      input: { policyName: string; path: string; document: string; description?: string },
    ): StoredPolicy {
      validName(input.policyName, 'policyName', 128);
      validPath(input.path);
      parsePolicyDocument(input.document, 'identity');
      if (policies[key(accountId, input.policyName)]) {
        throw new AwsError(
          'EntityAlreadyExists',
          `A policy called ${input.policyName} already exists. Duplicate names are not allowed.`,
          409,
        );
      }
      const created = timestamp();
      const policy: StoredPolicy = {
        accountId,
        policyName: input.policyName,
        policyId: `ANPA${randomId(17)}`,
        arn: `arn:aws:iam::${accountId}:policy${input.path}${input.policyName}`,
        path: input.path,
        description: input.description,
        createDate: created,
        updateDate: created,
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document: input.document, createDate: created }],
        nextVersionNumber: 2,
      };
      policies[key(accountId, input.policyName)] = policy;
      file.save();
      return policy;
    },
    policyByArn,
    policyVersion: (arn: string, versionId: string) => version(policyByArn(arn), versionId),
    listPolicies: (accountId: string) => Object.values(policies).filter((policy) => policy.accountId === accountId),
    attachmentCount: (arn: string) =>
      Object.values(roles).filter((candidate) => candidate.attachedPolicyArns.includes(arn)).length,
    createPolicyVersion(arn: string, document: string, setAsDefault: boolean): StoredPolicyVersion {
      const policy = policyByArn(arn);
      parsePolicyDocument(document, 'identity');
      if (policy.versions.length >= MAX_POLICY_VERSIONS) {
        throw new AwsError(
          'LimitExceeded',
          `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Delete a version first.`,
          409,
        );
      }
      const created: StoredPolicyVersion = {
        versionId: `v${policy.nextVersionNumber}`,
        document,
        createDate: timestamp(),
      };
      policy.nextVersionNumber += 1;
      policy.versions.push(created);
      if (setAsDefault) policy.defaultVersionId = created.versionId;
      policy.updateDate = created.createDate;
      file.save();
      return created;
    },
    deletePolicyVersion(arn: string, versionId: string): void {
      const policy = policyByArn(arn);
      version(policy, versionId);
      if (policy.defaultVersionId === versionId)
        throw new AwsError('DeleteConflict', 'Cannot delete the default version of a policy.', 409);
      policy.versions = policy.versions.filter((candidate) => candidate.versionId !== versionId);
      file.save();
    },
    deletePolicy(arn: string): void {
      const policy = policyByArn(arn);
      if (Object.values(roles).some((candidate) => candidate.attachedPolicyArns.includes(arn))) {
        throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
      }
      if (policy.versions.length > 1)
        throw new AwsError(
          'DeleteConflict',
          "This policy has more than one version. Before you delete a policy, you must delete the policy's " +
            'versions. The default version is deleted with the policy.',
          409,
        );
      delete policies[key(policy.accountId, policy.policyName)];
      file.save();
    },

    createRole(
      accountId: string,
      input: { roleName: string; path: string; trustPolicy: string; description?: string; maxSessionDuration: number },
    ): StoredRole {
      validName(input.roleName, 'roleName', 64);
      validPath(input.path);
      parsePolicyDocument(input.trustPolicy, 'trust');
      if (input.maxSessionDuration < 3600 || input.maxSessionDuration > 43200) {
        throw validationError('MaxSessionDuration must be between 3600 and 43200 seconds.');
      }
      if (roles[key(accountId, input.roleName)])
        throw new AwsError('EntityAlreadyExists', `Role with name ${input.roleName} already exists.`, 409);
      const created: StoredRole = {
        accountId,
        roleName: input.roleName,
        roleId: `AROA${randomId(17)}`,
        arn: `arn:aws:iam::${accountId}:role${input.path}${input.roleName}`,
        path: input.path,
        description: input.description,
        createDate: timestamp(),
        maxSessionDuration: input.maxSessionDuration,
        trustPolicy: input.trustPolicy,
        attachedPolicyArns: [],
        inlinePolicies: {},
      };
      roles[key(accountId, input.roleName)] = created;
      file.save();
      return created;
    },
    role,
    findRole: (accountId: string, roleName: string): StoredRole | undefined => roles[key(accountId, roleName)],
    /** The role an ARN names, if it exists (the ARN must match exactly, path included). */
    findRoleByArn(arn: string): StoredRole | undefined {
      const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
      const found = match?.[1] && match[2] ? roles[key(match[1], match[2])] : undefined;
      return found?.arn === arn ? found : undefined;
    },
    deleteRole(accountId: string, roleName: string): void {
      const found = role(accountId, roleName);
      if (found.attachedPolicyArns.length > 0)
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
      if (Object.keys(found.inlinePolicies).length > 0)
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      delete roles[key(accountId, roleName)];
      file.save();
    },
    updateTrustPolicy(accountId: string, roleName: string, document: string): void {
      const found = role(accountId, roleName);
      parsePolicyDocument(document, 'trust');
      found.trustPolicy = document;
      file.save();
    },
    attachRolePolicy(accountId: string, roleName: string, policyArn: string): void {
      const found = role(accountId, roleName);
      const policy = policyByArn(policyArn);
      if (policy.accountId !== accountId)
        throw noSuchEntity(`Policy ${policyArn} does not exist or is not attachable.`);
      if (!found.attachedPolicyArns.includes(policyArn)) found.attachedPolicyArns.push(policyArn);
      file.save();
    },
    detachRolePolicy(accountId: string, roleName: string, policyArn: string): void {
      const found = role(accountId, roleName);
      if (!found.attachedPolicyArns.includes(policyArn)) throw noSuchEntity(`Policy ${policyArn} was not found.`);
      found.attachedPolicyArns = found.attachedPolicyArns.filter((arn) => arn !== policyArn);
      file.save();
    },
    putRolePolicy(accountId: string, roleName: string, policyName: string, document: string): void {
      const found = role(accountId, roleName);
      validName(policyName, 'policyName', 128);
      parsePolicyDocument(document, 'identity');
      found.inlinePolicies[policyName] = document;
      file.save();
    },
    rolePolicy(accountId: string, roleName: string, policyName: string): string {
      const policies = role(accountId, roleName).inlinePolicies;
      const document = Object.hasOwn(policies, policyName) ? policies[policyName] : undefined;
      if (document === undefined) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      return document;
    },
    deleteRolePolicy(accountId: string, roleName: string, policyName: string): void {
      const found = role(accountId, roleName);
      if (!Object.hasOwn(found.inlinePolicies, policyName))
        throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      delete found.inlinePolicies[policyName];
      file.save();
    },

    /** The identity policies in force for a caller: its role's attached and inline policies. */
    identityPoliciesOf(caller: Caller): PolicyDocument[] {
      const found = caller.roleArn ? this.findRoleByArn(caller.roleArn) : undefined;
      if (!found) return [];
      const managed = found.attachedPolicyArns.flatMap((arn) => {
        const policy = Object.values(policies).find((candidate) => candidate.arn === arn);
        const document = policy?.versions.find(
          (candidate) => candidate.versionId === policy.defaultVersionId,
        )?.document;
        return document ? [parsePolicyDocument(document, 'identity')] : [];
      });
      const inline = Object.values(found.inlinePolicies).map((document) => parsePolicyDocument(document, 'identity'));
      return [...managed, ...inline];
    },
  };
}

export function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

function validName(name: string, field: string, maxLength: number): void {
  if (name.length < 1 || name.length > maxLength || !NAME.test(name)) {
    throw validationError(
      `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must ` +
        `satisfy regular expression pattern: [\\w+=,.@-]+ and length 1..${maxLength}`,
    );
  }
}

function validPath(path: string): void {
  if (path.length > 512 || !PATH.test(path)) {
    throw validationError(
      `The specified value for path is invalid. It must begin and end with / and contain only printable ` +
        `ASCII characters.`,
    );
  }
}
