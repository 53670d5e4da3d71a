/**
 * Applies what the AWS::S3::Bucket resources of serverless.yml, and the platform's buckets it
 * declares under `custom.platformBuckets` (buckets the service uses but does not own, in the same
 * shape), say about versioning and event notifications to the local buckets at every start,
 * through the ordinary S3 API (so the local S3 validates them exactly as it validates any
 * client's): `VersioningConfiguration.Status`
 * and `NotificationConfiguration` (`EventBridgeConfiguration.EventBridgeEnabled`,
 * `QueueConfigurations`, `LambdaConfigurations`, `TopicConfigurations` with `Filter.S3Key.Rules`).
 * A bucket without `NotificationConfiguration` gets none, as CloudFormation would leave it; a
 * configuration the local S3 refuses (a queue without a queue policy for S3...) stops the start.
 */
import {
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type Event,
  type FilterRuleName,
  type NotificationConfiguration,
  type NotificationConfigurationFilter,
} from '@aws-sdk/client-s3';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import type { LocalService } from '#runtime/service-model';

/** An S3 client of the platform account on the local endpoint (root credentials: not secrets). */
export function platformS3Client(service: LocalService, awsUrl: string): S3Client {
  return new S3Client({
    endpoint: awsUrl,
    region: service.region,
    forcePathStyle: true,
    credentials: { accessKeyId: `LOCAL${service.accountId}`, secretAccessKey: 'local' },
  });
}

interface DeclaredBucket {
  name: string;
  /** Where the declaration is, for error messages. */
  where: string;
  property(name: string): Yaml | undefined;
}

/** The stack's AWS::S3::Bucket resources and the platform buckets of `custom.platformBuckets`. */
export function declaredBuckets(cloudFormation: LocalCloudFormation): DeclaredBucket[] {
  const resources = cloudFormation.ofType('AWS::S3::Bucket').map(([logicalId, bucket]) => ({
    name: bucket.ref,
    where: `resources.Resources.${logicalId}.Properties`,
    property: (name: string) => cloudFormation.property(logicalId, name),
  }));
  const platform = Object.entries(cloudFormation.service.platformBuckets).map(([key, raw]) => {
    const where = `custom.platformBuckets.${key}`;
    const properties = cloudFormation.resolve(raw, where);
    const name = isMap(properties) ? properties.BucketName : undefined;
    if (typeof name !== 'string' || name === '') throw new Error(`${where}.BucketName must name the bucket.`);
    return { name, where, property: (property: string) => (properties as Record<string, Yaml>)[property] };
  });
  return [...resources, ...platform];
}

export async function configureBuckets(cloudFormation: LocalCloudFormation, awsUrl: string): Promise<void> {
  const { service } = cloudFormation;
  const s3 = platformS3Client(service, awsUrl);
  try {
    for (const bucket of declaredBuckets(cloudFormation)) {
      const { where } = bucket;
      const versioning = bucket.property('VersioningConfiguration');
      const status = isMap(versioning ?? null) ? (versioning as Record<string, Yaml>).Status : undefined;
      if (status !== undefined) {
        if (status !== 'Enabled' && status !== 'Suspended')
          throw new Error(`${where}.VersioningConfiguration.Status must be Enabled or Suspended.`);
        await s3.send(
          new PutBucketVersioningCommand({
            Bucket: bucket.name,
            VersioningConfiguration: { Status: status },
            ExpectedBucketOwner: service.accountId,
          }),
        );
      }
      const configuration = notificationConfiguration(
        bucket.property('NotificationConfiguration'),
        `${where}.NotificationConfiguration`,
      );
      try {
        await s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: bucket.name,
            NotificationConfiguration: configuration,
            ExpectedBucketOwner: service.accountId,
          }),
        );
      } catch (error) {
        throw new Error(`${where}.NotificationConfiguration: ${describe(error)}`, { cause: error });
      }
    }
  } finally {
    s3.destroy();
  }
}

/** The CloudFormation shape (one Event per configuration, `Filter.S3Key.Rules`) in the API's shape. */
function notificationConfiguration(raw: Yaml | undefined, where: string): NotificationConfiguration {
  if (raw === undefined || raw === null) return {};
  if (!isMap(raw)) throw new Error(`${where} must be a mapping.`);
  const list = (name: string): Array<Record<string, Yaml>> => {
    const value = raw[name];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => isMap(item)))
      throw new Error(`${where}.${name} must be a list of mappings.`);
    return value as Array<Record<string, Yaml>>;
  };
  const common = (item: Record<string, Yaml>, index: number, name: string) => {
    if (typeof item.Event !== 'string')
      throw new Error(`${where}.${name}[${index}].Event must be an event type such as s3:ObjectCreated:*.`);
    // The local S3 checks the event type, as AWS does.
    return { Events: [item.Event as Event], ...filterOf(item.Filter, `${where}.${name}[${index}].Filter`) };
  };
  const eventBridge = raw.EventBridgeConfiguration;
  return {
    ...(isMap(eventBridge ?? null) && (eventBridge as Record<string, Yaml>).EventBridgeEnabled !== false
      ? { EventBridgeConfiguration: {} }
      : {}),
    QueueConfigurations: list('QueueConfigurations').map((item, index) => ({
      QueueArn: String(item.Queue),
      ...common(item, index, 'QueueConfigurations'),
    })),
    LambdaFunctionConfigurations: list('LambdaConfigurations').map((item, index) => ({
      LambdaFunctionArn: String(item.Function),
      ...common(item, index, 'LambdaConfigurations'),
    })),
    TopicConfigurations: list('TopicConfigurations').map((item, index) => ({
      TopicArn: String(item.Topic),
      ...common(item, index, 'TopicConfigurations'),
    })),
  };
}

function filterOf(raw: Yaml | undefined, where: string): { Filter?: NotificationConfigurationFilter } {
  if (raw === undefined || raw === null) return {};
  const rules = isMap(raw) && isMap(raw.S3Key ?? null) ? (raw.S3Key as Record<string, Yaml>).Rules : undefined;
  if (!Array.isArray(rules)) throw new Error(`${where}.S3Key.Rules must be a list of {Name, Value}.`);
  return {
    Filter: {
      Key: {
        FilterRules: rules.map((rule) => {
          if (!isMap(rule)) throw new Error(`${where}.S3Key.Rules must be a list of {Name, Value}.`);
          return { Name: String(rule.Name) as FilterRuleName, Value: String(rule.Value ?? '') };
        }),
      },
    },
  };
}

/** The S3 error, with the destinations it names (`ArgumentName1`: `ArgumentValue1`...). */
function describe(error: unknown): string {
  const fields = error as Record<string, unknown>;
  const details = Object.keys(fields)
    .filter((name) => /^ArgumentName\d+$/.test(name))
    .map((name) => `${String(fields[name])}: ${String(fields[name.replace('Name', 'Value')])}`);
  const message = error instanceof Error ? error.message : String(error);
  return details.length > 0 ? `${message} (${details.join('; ')})` : message;
}
