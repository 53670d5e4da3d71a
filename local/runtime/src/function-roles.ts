/**
 * The IAM role each function runs as, built from serverless.yml the way it is deployed. With the
 * serverless-iam-roles-per-function plugin, a function that lists `iamRoleStatements` (even an
 * empty list) gets its own role `<service>-<stage>-<function>-<region>-lambdaRole` holding its
 * log-group statement, the event-source statements (sqs:ReceiveMessage, DeleteMessage,
 * GetQueueAttributes on its queues), the provider's `iam.role.statements` when it inherits them
 * (`iamRoleStatementsInherit`, or the plugin's `defaultInherit`), then its own statements, Deny
 * ones included. Every other function shares the framework's default role with the provider's
 * statements. CloudFormation intrinsics resolve as everywhere else in the local stack.
 *
 * Not supported (the start stops and says so): a function or provider `role` naming an existing
 * role, whose policies the local stack cannot know; stream event sources and `onError`.
 */
import type { PolicyDocument } from '@s3-integrations/aws-endpoint/contract';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import type { FunctionSpec, LocalService } from '#runtime/service-model';

export interface FunctionRole {
  roleName: string;
  roleArn: string;
  /** The role's one inline policy, as the framework names it, intrinsics resolved. */
  policyName: string;
  policy: PolicyDocument;
}

/** What every Lambda execution role trusts: the Lambda service. */
export const LAMBDA_SERVICE_PRINCIPAL = 'lambda.amazonaws.com';
export const LAMBDA_TRUST_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: [LAMBDA_SERVICE_PRINCIPAL] }, Action: ['sts:AssumeRole'] }],
};

const MAX_ROLE_NAME = 64;

/** The role of every function, by function key. */
export function functionRoles(cloudFormation: LocalCloudFormation): Map<string, FunctionRole> {
  const { service } = cloudFormation;
  refuseUnsupported(service);
  const providerStatements = providerIamStatements(service);
  const roles = new Map<string, FunctionRole>();
  const sharedUsers = service.functions.filter((fn) => !ownsRole(service, fn));
  const shared = sharedUsers.length > 0 ? defaultRole(cloudFormation, sharedUsers, providerStatements) : undefined;
  for (const fn of service.functions) {
    roles.set(
      fn.key,
      ownsRole(service, fn) ? ownRole(cloudFormation, fn, providerStatements) : (shared as FunctionRole),
    );
  }
  return roles;
}

const ownsRole = (service: LocalService, fn: FunctionSpec) =>
  service.iamRolesPerFunction !== undefined && fn.iam.statements !== undefined;

function ownRole(cloudFormation: LocalCloudFormation, fn: FunctionSpec, providerStatements: Yaml[]): FunctionRole {
  const { service } = cloudFormation;
  const inherit = fn.iam.inherit ?? service.iamRolesPerFunction?.defaultInherit ?? false;
  const own = fn.iam.statements;
  if (own !== undefined && !Array.isArray(own))
    throw new Error(`functions.${fn.key}.iamRoleStatements must be a list.`);
  const statements: Yaml[] = [
    logStatement(service, [fn]),
    ...eventSourceStatements([fn]),
    ...(inherit ? providerStatements : []),
    ...(own ?? []),
  ];
  const roleName = fn.iam.roleName ?? perFunctionRoleName(service, fn.key);
  return role(cloudFormation, roleName, statements, `functions.${fn.key}.iamRoleStatements`);
}

function defaultRole(
  cloudFormation: LocalCloudFormation,
  users: FunctionSpec[],
  providerStatements: Yaml[],
): FunctionRole {
  const { service } = cloudFormation;
  const statements = [logStatement(service, users), ...eventSourceStatements(users), ...providerStatements];
  return role(
    cloudFormation,
    `${service.service}-${service.stage}-${service.region}-lambdaRole`,
    statements,
    'provider.iam.role.statements',
  );
}

function role(cloudFormation: LocalCloudFormation, roleName: string, statements: Yaml[], where: string): FunctionRole {
  const { service } = cloudFormation;
  const resolved = statements.map((statement, index) => cloudFormation.resolve(statement, `${where}[${index}]`));
  return {
    roleName,
    roleArn: `arn:aws:iam::${service.accountId}:role/${roleName}`,
    policyName: `${service.service}-${service.stage}-lambda`,
    policy: { Version: '2012-10-17', Statement: resolved as unknown as PolicyDocument['Statement'] },
  };
}

/** The plugin's name: the default role's with the function inserted, `-lambdaRole` dropped when too long. */
function perFunctionRoleName(service: LocalService, functionKey: string): string {
  const full = `${service.service}-${service.stage}-${functionKey}-${service.region}-lambdaRole`;
  if (full.length <= MAX_ROLE_NAME) return full;
  const short = full.slice(0, -'-lambdaRole'.length);
  if (short.length <= MAX_ROLE_NAME) return short;
  throw new Error(
    `functions.${functionKey}: the role name ${short} is over ${MAX_ROLE_NAME} characters; set iamRoleStatementsName.`,
  );
}

/** Writing to the functions' own log groups, as every execution role may. */
function logStatement(service: LocalService, functions: FunctionSpec[]): Yaml {
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
    Resource: functions.map(
      (fn) => `arn:aws:logs:${service.region}:${service.accountId}:log-group:/aws/lambda/${fn.name}:*:*`,
    ),
  };
}

/** Lambda's event source mapping reads the functions' queues with their role. */
function eventSourceStatements(functions: FunctionSpec[]): Yaml[] {
  const queues = functions.flatMap((fn) =>
    fn.events.flatMap((event) => {
      if (event.sqs === undefined) return [];
      return [isMap(event.sqs) && event.sqs.arn !== undefined ? event.sqs.arn : event.sqs];
    }),
  );
  if (queues.length === 0) return [];
  return [
    {
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: queues,
    },
  ];
}

function providerIamStatements(service: LocalService): Yaml[] {
  const { iam, iamRoleStatements } = service.provider;
  const role = isMap(iam) ? iam.role : undefined;
  if (role !== undefined && !isMap(role))
    throw new Error('provider.iam.role names an existing role, whose policies the local stack cannot know.');
  const statements = isMap(role) ? role.statements : iamRoleStatements;
  if (statements === undefined || statements === null) return [];
  if (!Array.isArray(statements)) throw new Error('provider.iam.role.statements must be a list.');
  return statements;
}

function refuseUnsupported(service: LocalService): void {
  for (const fn of service.functions) {
    if (fn.iam.role !== undefined)
      throw new Error(`functions.${fn.key}.role names an existing role, whose policies the local stack cannot know.`);
    if (fn.events.some((event) => event.stream !== undefined))
      throw new Error(`functions.${fn.key}: stream event sources have no local equivalent.`);
  }
}
