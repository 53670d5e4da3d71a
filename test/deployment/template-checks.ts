/**
 * Checks of the packaged CloudFormation template. Each returns the problems it found, as sentences
 * naming the resource, so a failing test says what to fix; an empty list means the check passed.
 */
import {
  ACTIONS_WITHOUT_RESOURCE_LEVEL,
  CUSTOMER_FACING_FUNCTIONS,
  EXPECTED_PERMISSIONS,
  EXPECTED_STATE_MACHINE_PERMISSIONS,
} from './expected-permissions';
import {
  actionsOf,
  functionsWithRoles,
  permissionLines,
  props,
  resourcesOf,
  resourcesOfType,
  shortName,
  statementsOfRole,
  type Statement,
  type Template,
} from './template';

export type Check = (template: Template) => string[];

const difference = (a: string[], b: string[]) => a.filter((item) => !b.includes(item));

const allStatements = (template: Template): [string, Statement][] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type))
    .flatMap(([id, resource]) =>
      resource.Type === 'AWS::IAM::Role'
        ? statementsOfRole(template, id).map((statement): [string, Statement] => [id, statement])
        : ((props(resource).PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? []).map(
            (statement): [string, Statement] => [id, statement],
          ),
    );

export const lambdaRuntimes: Check = (template) =>
  resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, fn]) => props(fn).Runtime !== 'nodejs22.x')
    .map(([id, fn]) => `${id} runs ${String(props(fn).Runtime)}, not nodejs22.x`);

export const tracing: Check = (template) => [
  ...resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, fn]) => (props(fn).TracingConfig as { Mode?: string } | undefined)?.Mode !== 'Active')
    .map(([id]) => `${id} has no Active X-Ray tracing`),
  ...resourcesOfType(template, 'AWS::StepFunctions::StateMachine')
    .filter(
      ([, machine]) => (props(machine).TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled !== true,
    )
    .map(([id]) => `${id} has no X-Ray tracing`),
];

/** `*`, `service:*` or any other wildcard in an action, and NotAction in an Allow. */
export const wildcardActions: Check = (template) =>
  allStatements(template).flatMap(([id, statement]) => [
    ...actionsOf(statement)
      .filter((action) => action.includes('*') || action.includes('?'))
      .map((action) => `${id} allows the wildcard action ${action}`),
    ...(statement.Effect === 'Allow' && statement.NotAction !== undefined
      ? [`${id} allows everything but ${JSON.stringify(statement.NotAction)}`]
      : []),
  ]);

/** Resource `*` only where AWS has no resource-level permissions. */
export const wildcardResources: Check = (template) =>
  allStatements(template).flatMap(([id, statement]) =>
    statement.Effect === 'Allow' && (resourcesOf(statement).includes('*') || statement.NotResource !== undefined)
      ? actionsOf(statement)
          .filter((action) => !ACTIONS_WITHOUT_RESOURCE_LEVEL.has(action))
          .map((action) => `${id} allows ${action} on every resource`)
      : [],
  );

/** sts:AssumeRole only for the functions that act in customer buckets, never on the platform's own roles. */
export const assumeRole: Check = (template) => {
  const problems: string[] = [];
  const roleToFunction = new Map([...functionsWithRoles(template)].map(([key, fn]) => [fn.roleId, key]));
  for (const [roleId] of resourcesOfType(template, 'AWS::IAM::Role')) {
    const lines = permissionLines(statementsOfRole(template, roleId));
    if (!lines.some((line) => line.startsWith('Allow sts:AssumeRole '))) continue;
    const fn = roleToFunction.get(roleId);
    if (!fn || !CUSTOMER_FACING_FUNCTIONS.includes(fn))
      problems.push(`${roleId} (${fn ?? 'no function'}) may call sts:AssumeRole`);
    else if (!lines.includes('Deny sts:AssumeRole arn:aws:iam::${AWS::AccountId}:role/*')) {
      problems.push(`${roleId} may assume the platform account's own roles`);
    }
  }
  return problems;
};

const BASELINE_ACTIONS = [
  'logs:CreateLogStream',
  'logs:CreateLogGroup',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];

/** Each function's role allows exactly its expected list, plus logs on its own log group and X-Ray. */
export const functionPermissions: Check = (template) => {
  const problems: string[] = [];
  const functions = functionsWithRoles(template);
  for (const key of difference([...functions.keys()], Object.keys(EXPECTED_PERMISSIONS))) {
    problems.push(`${key} has no expected permission list in test/deployment/expected-permissions.ts`);
  }
  for (const key of difference(Object.keys(EXPECTED_PERMISSIONS), [...functions.keys()]))
    problems.push(`function ${key} is missing`);
  for (const [key, fn] of functions) {
    const statements = statementsOfRole(template, fn.roleId);
    const lines = permissionLines(
      statements.filter((statement) => !actionsOf(statement).every((action) => BASELINE_ACTIONS.includes(action))),
    );
    const expected = EXPECTED_PERMISSIONS[key] ?? [];
    for (const extra of difference(lines, expected)) problems.push(`${key} may ${extra}, which its code does not need`);
    for (const missing of difference(expected, lines)) problems.push(`${key} lacks ${missing}, which its code needs`);
    const logs = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
    const ownGroup = `:log-group:/aws/lambda/${String(props(fn.resource).FunctionName)}:`;
    for (const resource of logs.flatMap(resourcesOf)) {
      if (!resource.includes(ownGroup))
        problems.push(`${key} may write logs to ${resource}, not only its own log group`);
    }
    if (!permissionLines(statements).includes('Allow xray:PutTraceSegments *'))
      problems.push(`${key} cannot send traces (Active tracing fails to deploy)`);
  }
  return problems;
};

/** One role per function, the state machine's own, and no role that nothing uses. */
export const rolesInUse: Check = (template) => {
  const used = new Map<string, string[]>();
  for (const [key, fn] of functionsWithRoles(template)) used.set(fn.roleId, [...(used.get(fn.roleId) ?? []), key]);
  for (const [id, machine] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
    const roleId = shortName(props(machine).RoleArn);
    used.set(roleId, [...(used.get(roleId) ?? []), id]);
  }
  return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([roleId]) => {
    const users = used.get(roleId) ?? [];
    if (users.length === 0) return [`${roleId} is used by nothing`];
    return users.length > 1 ? [`${roleId} is shared by ${users.join(', ')}`] : [];
  });
};

export const stateMachinePermissions: Check = (template) =>
  resourcesOfType(template, 'AWS::StepFunctions::StateMachine').flatMap(([id, machine]) => {
    const lines = permissionLines(statementsOfRole(template, shortName(props(machine).RoleArn)));
    return [
      ...difference(lines, EXPECTED_STATE_MACHINE_PERMISSIONS).map((extra) => `${id} may ${extra}`),
      ...difference(EXPECTED_STATE_MACHINE_PERMISSIONS, lines).map((missing) => `${id} lacks ${missing}`),
    ];
  });
