/**
 * What CloudFormation does with a customer role template, done with the ordinary IAM client on the
 * local stack (which has no CloudFormation): check the parameters against their AllowedPattern,
 * resolve the intrinsic functions the templates use (Ref, Fn::Sub, Fn::If, Fn::Equals, Fn::Not,
 * AWS::NoValue), then create the managed policy, the role and the attachment.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { clientsFor } from './local-stack';

type Json = unknown;
type Template = {
  Parameters?: Record<string, { Default?: string; AllowedPattern?: string }>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
};

const NO_VALUE = Symbol('AWS::NoValue');

function resolver(template: Template, given: Record<string, string>) {
  const parameters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    const value = given[name] ?? spec.Default;
    if (value === undefined) throw new Error(`Parameter ${name} has no value`);
    if (spec.AllowedPattern && !new RegExp(spec.AllowedPattern).test(value))
      throw new Error(`Parameter ${name} = "${value}" fails its AllowedPattern`);
    parameters[name] = value;
  }
  const refs: Record<string, string> = { ...parameters };
  const resolve = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(resolve).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') {
      if (argument === 'AWS::NoValue') return NO_VALUE;
      const value = refs[String(argument)];
      if (value === undefined) throw new Error(`Ref ${String(argument)} is not known yet`);
      return value;
    }
    if (entries.length === 1 && key === 'Fn::Sub') {
      return String(argument).replace(/\$\{([\w:]+)\}/g, (_, name: string) => {
        if (refs[name] === undefined) throw new Error(`Fn::Sub: ${name} is not known`);
        return refs[name];
      });
    }
    if (entries.length === 1 && key === 'Fn::If') {
      const [condition, yes, no] = argument as [string, Json, Json];
      return resolve(condition in conditions ? (conditions[condition] ? yes : no) : fail(`no condition ${condition}`));
    }
    if (entries.length === 1 && key === 'Fn::Equals') {
      const [left, right] = (argument as Json[]).map(resolve);
      return left === right;
    }
    if (entries.length === 1 && key === 'Fn::Not') return !(resolve((argument as Json[])[0]) as boolean);
    if (entries.length === 1 && key?.startsWith('Fn::')) throw new Error(`${key} is not supported here`);
    return Object.fromEntries(
      entries.map(([name, value]) => [name, resolve(value)]).filter(([, value]) => value !== NO_VALUE),
    );
  };
  const conditions: Record<string, boolean> = {};
  for (const [name, expression] of Object.entries(template.Conditions ?? {}))
    conditions[name] = resolve(expression) as boolean;
  return { resolve, refs };
}

const fail = (message: string): never => {
  throw new Error(message);
};

/** Deploys a template of one AWS::IAM::ManagedPolicy and one AWS::IAM::Role into `accountId`; answers the role ARN. */
export async function deployRoleTemplate(
  accountId: string,
  template: object,
  parameters: Record<string, string> = {},
  stackName = 'stack',
): Promise<string> {
  const { iam } = clientsFor(accountId);
  const { Resources } = template as Template;
  const { resolve, refs } = resolver(template as Template, parameters);
  const [policyId, policy] =
    Object.entries(Resources).find(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy') ??
    fail('no managed policy');
  const [, role] =
    Object.entries(Resources).find(([, resource]) => resource.Type === 'AWS::IAM::Role') ?? fail('no role');
  const created = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${stackName}-${policyId}`,
      PolicyDocument: JSON.stringify(resolve(policy.Properties.PolicyDocument)),
    }),
  );
  refs[policyId] = created.Policy?.Arn ?? fail('no policy ARN');
  const properties = resolve(role.Properties) as {
    RoleName: string;
    AssumeRolePolicyDocument: object;
    ManagedPolicyArns: string[];
  };
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: properties.RoleName,
      AssumeRolePolicyDocument: JSON.stringify(properties.AssumeRolePolicyDocument),
    }),
  );
  for (const arn of properties.ManagedPolicyArns)
    await iam.send(new AttachRolePolicyCommand({ RoleName: properties.RoleName, PolicyArn: arn }));
  return Role?.Arn ?? fail('no role ARN');
}

/** The trust policy and attached policy documents of a role, as IAM stores them. */
export async function roleDocuments(
  accountId: string,
  roleName: string,
): Promise<{ trustPolicy: unknown; policies: unknown[] }> {
  const { iam } = clientsFor(accountId);
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const decode = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? 'null'));
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  const policies = [];
  for (const { PolicyArn } of attached.AttachedPolicies ?? []) {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy?.DefaultVersionId }),
    );
    policies.push(decode(PolicyVersion?.Document));
  }
  return { trustPolicy: decode(Role?.AssumeRolePolicyDocument), policies };
}
