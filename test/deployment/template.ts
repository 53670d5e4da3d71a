/**
 * The CloudFormation template `npm run package` writes, and small readers for it: which role each
 * function has, what a role's policies allow, intrinsic functions shortened to logical ids.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '@s3-integrations/local-runtime/paths';

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
}

export interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export const PACKAGED_TEMPLATE = join(REPOSITORY_ROOT, '.serverless', 'cloudformation-template-update-stack.json');

export function loadPackagedTemplate(): Template {
  if (!existsSync(PACKAGED_TEMPLATE)) {
    throw new Error(`${PACKAGED_TEMPLATE} does not exist: run \`npm run package\` first (npm test does).`);
  }
  return JSON.parse(readFileSync(PACKAGED_TEMPLATE, 'utf8')) as Template;
}

export const resourcesOfType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

export const props = (resource: Resource | undefined): Record<string, unknown> => resource?.Properties ?? {};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An intrinsic function shortened for comparison: `{Fn::GetAtt: [X, Arn]}` -> `X`,
 * `{Ref: X}` -> `X`, a Join of parts -> the parts concatenated, `{Fn::Sub: s}` -> `s`,
 * `${functionArn}:*` subs -> `X:*`. Anything else as JSON.
 */
export function shortName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return JSON.stringify(value);
  if (Array.isArray(value['Fn::GetAtt'])) return String(value['Fn::GetAtt'][0]);
  if (typeof value.Ref === 'string') return value.Ref;
  if (typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  const sub = value['Fn::Sub'];
  if (Array.isArray(sub) && typeof sub[0] === 'string' && isObject(sub[1])) {
    return sub[0].replace(/\$\{(\w+)\}/g, (whole, name: string) =>
      isObject(sub[1]) && name in sub[1] ? shortName(sub[1][name]) : whole,
    );
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map(shortName).join(String(join[0]));
  return JSON.stringify(value);
}

export interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export const actionsOf = (statement: Statement): string[] => asList(statement.Action);
export const resourcesOf = (statement: Statement): string[] => asList(statement.Resource).map(shortName);

/** Every statement of a role's inline policies and of the AWS::IAM::Policy resources attached to it. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  const inline = asList(props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined);
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => asList(props(policy).Roles as unknown[]).some((entry) => shortName(entry) === roleId))
    .map(([, policy]) => props(policy).PolicyDocument as { Statement: Statement[] });
  return [...inline.map((policy) => policy.PolicyDocument), ...attached].flatMap((document) =>
    asList(document.Statement),
  );
}

/** `Effect action resource` for each action and resource of each statement. */
export const permissionLines = (statements: Statement[]): string[] =>
  statements.flatMap((statement) =>
    actionsOf(statement).flatMap((action) =>
      resourcesOf(statement).map((resource) => `${statement.Effect} ${action} ${resource}`),
    ),
  );

/** The function key of serverless.yml (`getHealth`) of a Lambda logical id (`GetHealthLambdaFunction`). */
export const functionKeyOf = (logicalId: string): string => {
  const name = logicalId.replace(/LambdaFunction$/, '');
  return name.charAt(0).toLowerCase() + name.slice(1);
};

/** Lambda functions by serverless.yml key, each with its role's logical id. */
export function functionsWithRoles(
  template: Template,
): Map<string, { logicalId: string; roleId: string; resource: Resource }> {
  const functions = new Map<string, { logicalId: string; roleId: string; resource: Resource }>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    functions.set(functionKeyOf(logicalId), { logicalId, roleId: shortName(props(resource).Role), resource });
  }
  return functions;
}
