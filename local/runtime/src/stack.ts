/**
 * The whole service on one machine (docs/product-contract.md §7): DynamoDB Local, the AWS-compatible endpoint,
 * the functions of serverless.yml with their triggers, and the HTTP API. `npm start` and the test
 * harness both start it through `startLocalStack`. Each function runs in a worker thread of its
 * own, as its own IAM role (function-roles.ts, function-sessions.ts).
 */
import { join, resolve } from 'node:path';
import { CreateBucketCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { AwsError, type NotificationTargets, type PlatformHooks } from '@s3-integrations/aws-endpoint/contract';
import { startAwsEndpoint, type AwsEndpoint } from '@s3-integrations/aws-endpoint/server';
import { AsyncInvoker } from '#runtime/async-invoker';
import { configureBuckets, declaredBuckets, platformS3Client } from '#runtime/bucket-configuration';
import { LocalCloudFormation } from '#runtime/cloudformation';
import { createTables, startDynamoDbLocal, type LocalDynamoDb } from '#runtime/dynamodb';
import { startDynamoDbMeter } from '#runtime/dynamodb-meter';
import { environmentOf, functionEnvironment } from '#runtime/env';
import { bundleFunctions } from '#runtime/function-bundles';
import { functionRoles } from '#runtime/function-roles';
import { FunctionSessions, provisionRoles } from '#runtime/function-sessions';
import { ensureKmsKeys } from '#runtime/kms-keys';
import { LocalEventBridge } from '#runtime/eventbridge';
import { consoleFile } from '#runtime/console-files';
import { LocalFunctions } from '#runtime/functions';
import { localSignInRoutes } from '#runtime/local-sign-in';
import { startHttpApi, type HttpApi } from '#runtime/http-api';
import { tokenDefaults } from '#runtime/http-api-routes';
import { jwtKeyDir, loadOrCreateSigningKey } from '#runtime/jwt';
import { DEFAULT_DATA_DIR, DEFAULT_SERVERLESS_YML } from '#runtime/paths';
import { workerSandboxes } from '#runtime/sandboxes';
import { LocalSchedules } from '#runtime/schedules';
import { s3NotificationTargets } from '#runtime/s3-notification-targets';
import { loadService, type LocalService } from '#runtime/service-model';
import { LocalQueues } from '#runtime/sqs';
import { LocalStepFunctions } from '#runtime/step-functions';

/** The platform's audit-log bucket (docs/product-contract.md §7), unless serverless.yml names another. */
const DEFAULT_AUDIT_LOG_BUCKET = 'platform-audit-logs';

export interface LocalStackOptions {
  /** 0 picks a free port. Defaults: API 3000, AWS endpoint 4566, DynamoDB Local 8000. */
  ports?: { api?: number; aws?: number; dynamodb?: number };
  dataDir?: string;
  /** Run every schedule this often instead of its own rate (tests). */
  scheduleSeconds?: number;
  /** The first pause before Lambda retries an asynchronous invocation; later ones double. */
  asyncRetryDelayMs?: number;
  /** A message its SQS consumer failed comes back after this instead of its visibility timeout (tests). */
  sqsRetryDelayMs?: number;
  serverlessYml?: string;
  stage?: string;
  /** Route the functions' DynamoDB calls through the capacity meter (dynamodb-meter.ts), for benches. */
  meterDynamoDb?: boolean;
}

export interface LocalStack {
  apiUrl: string;
  awsUrl: string;
  dynamodbUrl: string;
  /** With meterDynamoDb: where the functions reach DynamoDB, and `GET <url>/_local/usage` the units they consumed. */
  dynamodbMeterUrl?: string;
  service: LocalService;
  /** Every function's variables together, without credentials: for tests that run handlers themselves. */
  environment: Record<string, string>;
  /** The role each function runs as, by function key. */
  functionRoles: Record<string, string>;
  jwtKeyDir: string;
  /** The `iss` and `aud` the API's JWT authorizer expects. */
  jwt: { issuer: string; audience: string };
  faults: AwsEndpoint['faults'];
  eventBridge: LocalEventBridge;
  queues: LocalQueues;
  stepFunctions: LocalStepFunctions;
  schedules: LocalSchedules;
  asyncInvoker: AsyncInvoker;
  close(): Promise<void>;
}

interface Components {
  eventBridge: LocalEventBridge;
  queues: LocalQueues;
  stepFunctions: LocalStepFunctions;
  notifications: NotificationTargets;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const service = loadService(
    options.serverlessYml ?? DEFAULT_SERVERLESS_YML,
    options.stage ? { stage: options.stage } : {},
  );
  const keyDir = jwtKeyDir(dataDir, service.stackName);
  const signingKey = loadOrCreateSigningKey(keyDir);
  const cleanups: Array<() => Promise<void> | void> = [];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => console.error(`[local] shutdown step failed: ${String(error)}`));
    }
  };

  try {
    // The endpoint answers before the runtime behind its hooks exists: queue URLs need its port.
    const started: { components?: Components } = {};
    const ready = (): Components => {
      if (!started.components)
        throw new AwsError('ServiceUnavailable', 'The local stack is still starting; try again in a moment.', 503);
      return started.components;
    };
    const hooks: PlatformHooks = {
      putEvents: async (entries, sender) => void (await ready().eventBridge.putEvents(entries, sender)),
      eventBus: (arn) => ready().eventBridge.eventBus(arn),
      startExecution: (arn, input, name) => ready().stepFunctions.startExecution(arn, input, name),
      describeExecution: (arn) => ready().stepFunctions.describeExecution(arn),
      sendMessages: (url, bodies) => ready().queues.sendMessages(url, bodies),
      queues: {
        createQueue: (endpointUrl, accountId, name) => ready().queues.createQueue(endpointUrl, accountId, name),
        receive: (url, max) => ready().queues.receiveFor(url, max),
        delete: (url, handle) => ready().queues.deleteFor(url, handle),
      },
      rules: {
        putRule: (...args) =>
          ready()
            .eventBridge.ruleHooks()
            .putRule(...args),
        putTargets: (...args) =>
          ready()
            .eventBridge.ruleHooks()
            .putTargets(...args),
        removeTargets: (...args) =>
          ready()
            .eventBridge.ruleHooks()
            .removeTargets(...args),
        deleteRule: (...args) =>
          ready()
            .eventBridge.ruleHooks()
            .deleteRule(...args),
      },
      notifications: {
        putServiceEvent: (event) => ready().notifications.putServiceEvent(event),
        checkQueue: (arn, source) => ready().notifications.checkQueue(arn, source),
        sendToQueue: (arn, body) => ready().notifications.sendToQueue(arn, body),
      },
    };
    const [dynamodb, aws] = await startBoth(
      () =>
        startDynamoDbLocal({
          port: options.ports?.dynamodb ?? 8000,
          accountId: service.accountId,
          region: service.region,
        }),
      () =>
        startAwsEndpoint({ port: options.ports?.aws ?? 4566, dataDir: join(dataDir, service.stackName, 'aws'), hooks }),
    );
    cleanups.push(
      () => dynamodb.close(),
      () => aws.close(),
    );

    // Everything serverless.yml declares is checked here, before any handler is imported.
    const cloudFormation = new LocalCloudFormation(service, aws.url);
    const meter = options.meterDynamoDb ? await startDynamoDbMeter(dynamodb.url) : undefined;
    if (meter) cleanups.push(() => meter.close());
    const endpoints = { awsUrl: aws.url, dynamodbUrl: meter?.url ?? dynamodb.url };
    const environment = functionEnvironment(cloudFormation, endpoints);
    const roles = functionRoles(cloudFormation);
    await provisionRoles(service, roles.values(), aws.url);
    await ensureKmsKeys(cloudFormation, aws.kms); // after the roles, which key policies may name
    const sessions = new FunctionSessions(service.functions, roles, aws.assumeRoleAsService);
    cleanups.push(() => sessions.close());
    const bundles = await bundleFunctions(service, join(dataDir, service.stackName, 'functions'));
    const functions = new LocalFunctions(
      service,
      workerSandboxes(bundles, (fn) => ({
        ...environmentOf(cloudFormation, fn, endpoints),
        ...sessions.variablesOf(fn.key),
      })),
    );
    cleanups.push(() => functions.close());
    const asyncInvoker = new AsyncInvoker(
      functions,
      options.asyncRetryDelayMs !== undefined ? { retryDelayMs: options.asyncRetryDelayMs } : {},
    );
    const queues = new LocalQueues(
      cloudFormation,
      functions,
      options.sqsRetryDelayMs !== undefined ? { retryDelayMs: options.sqsRetryDelayMs } : {},
    );
    const stepFunctions = new LocalStepFunctions(cloudFormation, functions);
    const eventBridge = new LocalEventBridge(cloudFormation, functions, asyncInvoker, {
      sendToQueue: async (arn, body) => {
        const queue = queues.byArn(arn);
        if (!queue) throw new Error(`No local queue ${arn}.`);
        queues.send(queue, [body]);
      },
      startExecution: (arn, input) => stepFunctions.startExecution(arn, input),
    });
    const schedules = new LocalSchedules(cloudFormation, functions, options.scheduleSeconds);
    cleanups.push(
      () => asyncInvoker.close(),
      () => stepFunctions.close(),
      () => queues.close(),
      () => schedules.close(),
    );

    await createTables(dynamodb.client, cloudFormation);
    await createBuckets(cloudFormation, aws.url, environment.AUDIT_LOG_BUCKET ?? DEFAULT_AUDIT_LOG_BUCKET);
    // Sandboxes start on each function's first invocation, as in Lambda; the bundling checked them all.
    sessions.startRenewing((key, variables) => functions.updateEnvironment(key, variables));
    started.components = {
      eventBridge,
      queues,
      stepFunctions,
      notifications: s3NotificationTargets(cloudFormation, eventBridge, queues),
    };
    // Notification configurations name queues, which exist from here on.
    await configureBuckets(cloudFormation, aws.url);

    const jwt = tokenDefaults(cloudFormation);
    const signIn = localSignInRoutes({
      signingKey,
      jwt,
      dynamodb: dynamodb.client,
      tableName: environment.TABLE_NAME ?? '',
      awsUrl: aws.url,
      platformAccountId: service.accountId,
      region: service.region,
      platformEventBus: cloudFormation.resources.get('PlatformEventBus')?.ref ?? 'default',
    });
    const localRoutes = async (method: string, pathname: string, body: Buffer) =>
      pathname.startsWith('/console')
        ? method === 'GET'
          ? consoleFile(pathname)
          : undefined
        : signIn(method, pathname, body);
    const httpApi: HttpApi = await startHttpApi({
      cloudFormation,
      functions,
      signingKey,
      localRoutes,
      port: options.ports?.api ?? 3000,
    });
    cleanups.push(() => httpApi.close());
    queues.start();
    schedules.start();

    return {
      apiUrl: httpApi.url,
      awsUrl: aws.url,
      dynamodbUrl: dynamodb.url,
      ...(meter ? { dynamodbMeterUrl: meter.url } : {}),
      service,
      environment,
      functionRoles: Object.fromEntries([...roles].map(([key, role]) => [key, role.roleArn])),
      jwtKeyDir: keyDir,
      jwt,
      faults: aws.faults,
      eventBridge,
      queues,
      stepFunctions,
      schedules,
      asyncInvoker,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Starts two services at once; if one fails, the other is stopped before the error surfaces. */
async function startBoth(
  startDynamoDb: () => Promise<LocalDynamoDb>,
  startAws: () => Promise<AwsEndpoint>,
): Promise<[LocalDynamoDb, AwsEndpoint]> {
  const [dynamodb, aws] = await Promise.allSettled([startDynamoDb(), startAws()]);
  if (dynamodb.status === 'fulfilled' && aws.status === 'fulfilled') return [dynamodb.value, aws.value];
  if (dynamodb.status === 'fulfilled') await dynamodb.value.close();
  if (aws.status === 'fulfilled') await aws.value.close();
  throw dynamodb.status === 'rejected' ? dynamodb.reason : (aws as PromiseRejectedResult).reason;
}

/**
 * The platform's audit-log bucket, the stack's AWS::S3::Bucket resources and the platform buckets
 * serverless.yml declares (custom.platformBuckets), as the platform account.
 */
async function createBuckets(
  cloudFormation: LocalCloudFormation,
  awsUrl: string,
  auditLogBucket: string,
): Promise<void> {
  const { service } = cloudFormation;
  const s3 = platformS3Client(service, awsUrl);
  const names = new Set([auditLogBucket, ...declaredBuckets(cloudFormation).map((bucket) => bucket.name)]);
  try {
    for (const name of names) {
      try {
        await s3.send(
          new CreateBucketCommand({
            Bucket: name,
            ...(service.region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: service.region as BucketLocationConstraint } }),
          }),
        );
      } catch (error) {
        // The endpoint keeps its data between runs: a bucket from the last run is fine.
        if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
      }
    }
  } finally {
    s3.destroy();
  }
}
