/**
 * The environment every local function runs with. All functions share one Node process, so they
 * share one environment: the union of provider and function variables from serverless.yml (two
 * functions that disagree on a variable stop the start), plus what makes the AWS SDK talk to the
 * local stack instead of AWS.
 */
import type { LocalCloudFormation } from '#local/runtime/cloudformation';
import type { Yaml } from '#local/runtime/serverless-yaml';
import { isMap } from '#local/runtime/serverless-yaml';

export interface LocalEndpoints {
  awsUrl: string;
  dynamodbUrl: string;
}

export function functionEnvironment(cloudFormation: LocalCloudFormation, endpoints: LocalEndpoints): Record<string, string> {
  const { service } = cloudFormation;
  const merged = new Map<string, { value: string; from: string }>();
  const add = (variables: Yaml | undefined, from: string): void => {
    if (!isMap(variables)) return;
    for (const [name, raw] of Object.entries(variables)) {
      const value = toEnvString(cloudFormation.resolve(raw, `${from}.environment.${name}`));
      const existing = merged.get(name);
      if (existing && existing.value !== value) {
        throw new Error(
          `${existing.from} and ${from} give ${name} different values; all local functions share one process, so make them agree.`,
        );
      }
      merged.set(name, { value, from });
    }
  };
  add(service.provider.environment, 'provider');
  for (const fn of service.functions) add(fn.environment, `functions.${fn.key}`);

  const environment = Object.fromEntries([...merged].map(([name, { value }]) => [name, value]));
  return {
    ...environment,
    AWS_REGION: service.region,
    AWS_DEFAULT_REGION: service.region,
    // The platform account's root credentials on the local endpoint (SPEC section 7): not a secret.
    AWS_ACCESS_KEY_ID: `LOCAL${service.accountId}`,
    AWS_SECRET_ACCESS_KEY: 'local',
    // The SDK v3 reads these natively; the service-specific one wins for DynamoDB.
    AWS_ENDPOINT_URL: endpoints.awsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbUrl,
    S3_FORCE_PATH_STYLE: 'true',
    // Keep the SDK away from ~/.aws and the EC2 metadata service.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    POWERTOOLS_LOG_LEVEL: process.env.LOCAL_LOG_LEVEL ?? environment.POWERTOOLS_LOG_LEVEL ?? 'INFO',
    POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

function toEnvString(value: Yaml): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
