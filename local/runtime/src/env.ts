/**
 * The environment of the local functions. Each function runs in a worker thread of its own with
 * its own environment, as in Lambda: the provider's and its own variables from serverless.yml,
 * what makes the AWS SDK talk to the local stack instead of AWS, and (added by the stack) its
 * role's session. Nothing else from the shell that started the stack reaches it.
 *
 * The tests that call handlers in their own process share one environment, the union of all
 * functions' variables without credentials (functionEnvironment): two functions that disagree on
 * a variable stop the start, since such a test could not give both their value.
 */
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { Yaml } from '#runtime/serverless-yaml';
import { isMap } from '#runtime/serverless-yaml';
import type { FunctionSpec } from '#runtime/service-model';

export interface LocalEndpoints {
  awsUrl: string;
  dynamodbUrl: string;
}

/** Variables a function needs to run, whatever it is: Lambda also sets PATH and LANG. */
const INHERITED = ['PATH', 'LANG'];

/** One function's environment, credentials aside. */
export function environmentOf(
  cloudFormation: LocalCloudFormation,
  fn: FunctionSpec,
  endpoints: LocalEndpoints,
): Record<string, string> {
  const variables = new Map<string, string>();
  const add = (block: Yaml | undefined, from: string) => {
    for (const [name, value] of resolvedVariables(cloudFormation, block, from)) variables.set(name, value);
  };
  add(cloudFormation.service.provider.environment, 'provider');
  add(fn.environment, `functions.${fn.key}`);
  const inherited = Object.fromEntries(
    INHERITED.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name] as string]] : [])),
  );
  return { ...inherited, ...withLocalSdk(cloudFormation, Object.fromEntries(variables), endpoints) };
}

/** The provider's and every function's variables together, for tests that run handlers in their own process. */
export function functionEnvironment(
  cloudFormation: LocalCloudFormation,
  endpoints: LocalEndpoints,
): Record<string, string> {
  const merged = new Map<string, { value: string; from: string }>();
  const add = (block: Yaml | undefined, from: string): void => {
    for (const [name, value] of resolvedVariables(cloudFormation, block, from)) {
      const existing = merged.get(name);
      if (existing && existing.value !== value) {
        throw new Error(
          `${existing.from} and ${from} give ${name} different values; tests that run handlers in their own ` +
            `process share one environment, so make them agree.`,
        );
      }
      merged.set(name, { value, from });
    }
  };
  const { service } = cloudFormation;
  add(service.provider.environment, 'provider');
  for (const fn of service.functions) add(fn.environment, `functions.${fn.key}`);
  return withLocalSdk(
    cloudFormation,
    Object.fromEntries([...merged].map(([name, { value }]) => [name, value])),
    endpoints,
  );
}

function resolvedVariables(
  cloudFormation: LocalCloudFormation,
  block: Yaml | undefined,
  from: string,
): Array<[string, string]> {
  if (!isMap(block)) return [];
  return Object.entries(block).map(([name, raw]) => [
    name,
    toEnvString(cloudFormation.resolve(raw, `${from}.environment.${name}`)),
  ]);
}

function withLocalSdk(
  cloudFormation: LocalCloudFormation,
  variables: Record<string, string>,
  endpoints: LocalEndpoints,
): Record<string, string> {
  const { service } = cloudFormation;
  return {
    ...variables,
    AWS_REGION: service.region,
    AWS_DEFAULT_REGION: service.region,
    // The SDK v3 reads these natively; the service-specific one wins for DynamoDB.
    AWS_ENDPOINT_URL: endpoints.awsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbUrl,
    S3_FORCE_PATH_STYLE: 'true',
    // Keep the SDK away from ~/.aws and the EC2 metadata service.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    POWERTOOLS_LOG_LEVEL: process.env.LOCAL_LOG_LEVEL ?? variables.POWERTOOLS_LOG_LEVEL ?? 'INFO',
    POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

function toEnvString(value: Yaml): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
