/**
 * The parts of serverless.yml the local runtime acts on, read fresh from the file at every start:
 * functions (with their handler module, timeout, events and IAM statements), CloudFormation
 * resources, state machines (serverless-step-functions) and HTTP API authorizers.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';
import { isMap, loadServerlessYaml, type Yaml } from '#runtime/serverless-yaml';

export type YamlMap = Record<string, Yaml>;

export interface FunctionSpec {
  /** The key under `functions:` (e.g. `getHealth`). */
  key: string;
  /** The deployed Lambda name (`<service>-<stage>-<key>` unless `name:` says otherwise). */
  name: string;
  /** Absolute path of the handler module. */
  modulePath: string;
  exportName: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: YamlMap;
  events: YamlMap[];
  /** Lambda's retries for asynchronous invocations (0-2, default 2). */
  maximumRetryAttempts: number;
  /**
   * What serverless-iam-roles-per-function reads: `iamRoleStatements`, `iamRoleStatementsInherit`,
   * `iamRoleStatementsName`, and `role`.
   */
  iam: { statements?: Yaml; inherit?: boolean; roleName?: string; role?: Yaml };
}

export interface StateMachineSpec {
  key: string;
  /** The state machine's name, which is the last part of its ARN. */
  name: string;
  logicalId: string;
  definition: Yaml;
}

export interface CloudFormationResource {
  Type: string;
  Properties?: YamlMap;
}

export interface LocalService {
  dir: string;
  service: string;
  stage: string;
  region: string;
  accountId: string;
  stackName: string;
  provider: YamlMap;
  functions: FunctionSpec[];
  resources: Record<string, CloudFormationResource>;
  conditions: YamlMap;
  stateMachines: StateMachineSpec[];
  /** Set when serverless.yml uses the serverless-iam-roles-per-function plugin. */
  iamRolesPerFunction?: { defaultInherit: boolean };
  /** `custom.esbuild` when serverless.yml bundles with serverless-esbuild. */
  bundling?: YamlMap;
  /**
   * `custom.platformBuckets`: buckets the service uses but does not own, by a name of the
   * service's choosing, each in the shape of an AWS::S3::Bucket's Properties (`BucketName`,
   * `VersioningConfiguration`, `NotificationConfiguration`). CloudFormation never sees them: their
   * owner configures them once; the local stack creates and configures them at every start.
   */
  platformBuckets: Record<string, Yaml>;
}

export interface LoadServiceOptions {
  stage?: string;
  region?: string;
}

const HANDLER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
/** Lambda's own defaults when serverless.yml says nothing. */
const DEFAULT_TIMEOUT_SECONDS = 6;
const DEFAULT_MEMORY_MB = 1024;

export function loadService(serverlessYmlPath: string, options: LoadServiceOptions = {}): LocalService {
  const path = resolve(serverlessYmlPath);
  const config = loadServerlessYaml(path, { ...options, accountId: PLATFORM_ACCOUNT_ID });
  const dir = dirname(path);
  const service = requireString(config.service, 'service');
  const provider = asMap(config.provider, 'provider');
  const stage = requireString(provider.stage ?? 'dev', 'provider.stage');
  const region = requireString(provider.region ?? 'us-east-1', 'provider.region');
  const resourcesBlock = mergedResources(config.resources);
  return {
    dir,
    service,
    stage,
    region,
    accountId: PLATFORM_ACCOUNT_ID,
    stackName: `${service}-${stage}`,
    provider,
    functions: Object.entries(asMap(config.functions ?? {}, 'functions')).map(([key, value]) =>
      readFunction(dir, service, stage, provider, key, asMap(value, `functions.${key}`)),
    ),
    resources: readResources(resourcesBlock.Resources),
    conditions: isMap(resourcesBlock.Conditions) ? resourcesBlock.Conditions : {},
    stateMachines: readStateMachines(config.stepFunctions),
    platformBuckets: isMap(config.custom) && isMap(config.custom.platformBuckets) ? config.custom.platformBuckets : {},
    ...rolesPerFunction(config),
    ...(pluginsOf(config).includes('serverless-esbuild')
      ? { bundling: isMap(config.custom) && isMap(config.custom.esbuild) ? config.custom.esbuild : {} }
      : {}),
  };
}

function pluginsOf(config: YamlMap): Yaml[] {
  if (Array.isArray(config.plugins)) return config.plugins;
  return isMap(config.plugins) && Array.isArray(config.plugins.modules) ? config.plugins.modules : [];
}

const ROLES_PER_FUNCTION_PLUGIN = 'serverless-iam-roles-per-function';

function rolesPerFunction(config: YamlMap): Pick<LocalService, 'iamRolesPerFunction'> {
  if (!pluginsOf(config).includes(ROLES_PER_FUNCTION_PLUGIN)) return {};
  const settings = isMap(config.custom) ? config.custom[ROLES_PER_FUNCTION_PLUGIN] : undefined;
  return { iamRolesPerFunction: { defaultInherit: isMap(settings) && settings.defaultInherit === true } };
}

function readFunction(
  dir: string,
  service: string,
  stage: string,
  provider: YamlMap,
  key: string,
  spec: YamlMap,
): FunctionSpec {
  const handler = requireString(spec.handler, `functions.${key}.handler`);
  const dot = handler.lastIndexOf('.');
  if (dot < 0) throw new Error(`functions.${key}.handler "${handler}" must look like path/to/module.exportName.`);
  const moduleBase = join(dir, handler.slice(0, dot));
  const modulePath = HANDLER_EXTENSIONS.map((extension) => moduleBase + extension).find((candidate) =>
    existsSync(candidate),
  );
  if (!modulePath)
    throw new Error(
      `functions.${key}.handler: no module ${handler.slice(0, dot)}{${HANDLER_EXTENSIONS.join(',')}} exists.`,
    );
  return {
    key,
    name: typeof spec.name === 'string' ? spec.name : `${service}-${stage}-${key}`,
    modulePath,
    exportName: handler.slice(dot + 1),
    timeoutSeconds: Number(spec.timeout ?? provider.timeout ?? DEFAULT_TIMEOUT_SECONDS),
    memorySize: Number(spec.memorySize ?? provider.memorySize ?? DEFAULT_MEMORY_MB),
    environment: isMap(spec.environment) ? spec.environment : {},
    events: Array.isArray(spec.events)
      ? spec.events.map((event, index) => asMap(event, `functions.${key}.events[${index}]`))
      : [],
    maximumRetryAttempts: Number(spec.maximumRetryAttempts ?? 2),
    iam: {
      ...(spec.iamRoleStatements !== undefined ? { statements: spec.iamRoleStatements } : {}),
      ...(typeof spec.iamRoleStatementsInherit === 'boolean' ? { inherit: spec.iamRoleStatementsInherit } : {}),
      ...(typeof spec.iamRoleStatementsName === 'string' ? { roleName: spec.iamRoleStatementsName } : {}),
      ...(spec.role !== undefined ? { role: spec.role } : {}),
    },
  };
}

/** `resources:` is one block or, as the framework also allows, a list of blocks that it merges. */
function mergedResources(value: Yaml | undefined): { Resources: YamlMap; Conditions: YamlMap } {
  const merged = { Resources: {} as YamlMap, Conditions: {} as YamlMap };
  for (const block of Array.isArray(value) ? value : [value]) {
    if (!isMap(block)) continue;
    if (isMap(block.Resources)) Object.assign(merged.Resources, block.Resources);
    if (isMap(block.Conditions)) Object.assign(merged.Conditions, block.Conditions);
  }
  return merged;
}

function readResources(block: Yaml | undefined): Record<string, CloudFormationResource> {
  if (!isMap(block)) return {};
  const out: Record<string, CloudFormationResource> = {};
  for (const [logicalId, value] of Object.entries(block)) {
    const resource = asMap(value, `resources.Resources.${logicalId}`);
    out[logicalId] = {
      Type: requireString(resource.Type, `resources.Resources.${logicalId}.Type`),
      ...(isMap(resource.Properties) ? { Properties: resource.Properties } : {}),
    };
  }
  return out;
}

function readStateMachines(block: Yaml | undefined): StateMachineSpec[] {
  if (!isMap(block) || !isMap(block.stateMachines)) return [];
  return Object.entries(block.stateMachines).map(([key, value]) => {
    const spec = asMap(value, `stepFunctions.stateMachines.${key}`);
    if (spec.type === 'EXPRESS')
      throw new Error(`stepFunctions.stateMachines.${key}: EXPRESS state machines are not supported locally.`);
    const custom = typeof spec.id === 'string' ? spec.id : typeof spec.name === 'string' ? spec.name : undefined;
    return {
      key,
      name: typeof spec.name === 'string' ? spec.name : key,
      // The logical id serverless-step-functions gives the AWS::StepFunctions::StateMachine resource.
      logicalId: custom ? normalizedResourceName(custom) : `${normalizedResourceName(key)}StepFunctionsStateMachine`,
      definition: spec.definition ?? null,
    };
  });
}

/** The framework's logical-id normalisation (`get-health` -> `GetDashhealth`). */
export function normalizedResourceName(name: string): string {
  const replaced = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return replaced.charAt(0).toUpperCase() + replaced.slice(1);
}

/** The logical id of a function's AWS::Lambda::Function resource. */
export function lambdaLogicalId(functionKey: string): string {
  return `${normalizedResourceName(functionKey)}LambdaFunction`;
}

export function functionArn(service: LocalService, fn: FunctionSpec): string {
  return `arn:aws:lambda:${service.region}:${service.accountId}:function:${fn.name}`;
}

export function stateMachineArn(service: LocalService, machine: StateMachineSpec): string {
  return `arn:aws:states:${service.region}:${service.accountId}:stateMachine:${machine.name}`;
}

function asMap(value: Yaml | undefined, where: string): YamlMap {
  if (!isMap(value)) throw new Error(`${where} must be a mapping.`);
  return value;
}

function requireString(value: Yaml | undefined, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where} must be a non-empty string.`);
  return value;
}
