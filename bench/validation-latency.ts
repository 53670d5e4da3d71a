/**
 * End-to-end validation latency on the local stack: PUT .../role until GET shows ACTIVE, for 20
 * integrations one after the other (after 2 warm-up runs that are not counted), each with its own
 * customer account, bucket, policy and role created from the documents the API returned.
 *
 *   npx tsx bench/validation-latency.ts             # starts its own stack (as `npm start` does) on free ports
 *   npx tsx bench/validation-latency.ts --running   # uses a stack already started with `npm start`
 *
 * Prints the median, p90, min and max of the wall-clock time the customer sees, and of the run's
 * own duration as recorded in the validation report (startedAt -> endedAt).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { LocalCloudFormation } from '@s3-integrations/local-runtime/cloudformation';
import { tokenDefaults } from '@s3-integrations/local-runtime/http-api-routes';
import { jwtKeyDir, loadOrCreateSigningKey, signToken } from '@s3-integrations/local-runtime/jwt';
import { startChildStack } from '@s3-integrations/local-runtime/child-stack';
import { DEFAULT_DATA_DIR, DEFAULT_SERVERLESS_YML } from '@s3-integrations/local-runtime/paths';
import { loadService } from '@s3-integrations/local-runtime/service-model';
import { PLATFORM_EVENT_BUS } from './support/local-stack';

const RUNS = 20;
const WARM_UP = 2;
const POLL_MS = 20;
const REGION = 'us-west-2';

interface Stack {
  apiUrl: string;
  awsUrl: string;
  jwtKeyDir: string;
  jwt: { issuer: string; audience: string };
  stop(): Promise<void>;
}

async function ownStack(): Promise<Stack> {
  const stack = await startChildStack({}, 'bench-stack');
  return {
    ...stack,
    stop: async () => {
      await stack.stop();
      stack.remove();
    },
  };
}

function runningStack(): Stack {
  const service = loadService(DEFAULT_SERVERLESS_YML);
  return {
    apiUrl: 'http://127.0.0.1:3000',
    awsUrl: 'http://127.0.0.1:4566',
    jwtKeyDir: jwtKeyDir(process.env.LOCAL_DATA_DIR ?? DEFAULT_DATA_DIR, service.stackName),
    jwt: tokenDefaults(new LocalCloudFormation(service, 'http://127.0.0.1:4566')),
    stop: async () => undefined,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const stack = process.argv.includes('--running') ? runningStack() : await ownStack();
  try {
    const client = await benchProject(stack);
    const wallMs: number[] = [];
    const runMs: number[] = [];
    for (let run = 0; run < WARM_UP + RUNS; run += 1) {
      const measured = await oneValidation(stack, client);
      if (run >= WARM_UP) {
        wallMs.push(measured.wallMs);
        runMs.push(measured.runMs);
      }
    }
    console.log(`validation latency over ${RUNS} runs (after ${WARM_UP} warm-up runs), PUT role -> GET shows ACTIVE:`);
    console.log(`  end to end (client):   ${summary(wallMs)}`);
    console.log(`  run (report start/end): ${summary(runMs)}`);
  } finally {
    await stack.stop();
  }
}

type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; json: Record<string, unknown> }>;

async function benchProject(stack: Stack): Promise<{ call: Call; base: string }> {
  const projectId = `bench-${randomBytes(4).toString('hex')}`;
  const orgId = `org-${projectId}`;
  const events = new EventBridgeClient({
    endpoint: stack.awsUrl,
    region: 'us-east-1',
    credentials: root('111111111111'),
  });
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'platform.projects',
          DetailType: 'Project Upserted',
          Detail: JSON.stringify({ projectId, orgId, plan: 'enterprise' }),
          EventBusName: PLATFORM_EVENT_BUS,
        },
      ],
    }),
  );
  const token = await signToken(
    { sub: 'bench', org: orgId, orgRole: 'owner', projects: {} },
    loadOrCreateSigningKey(stack.jwtKeyDir),
    stack.jwt,
  );
  const call: Call = async (method, path, body) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const base = `/v1/projects/${projectId}/integrations`;
  while ((await call('GET', base)).status !== 200) await sleep(50);
  return { call, base };
}

const root = (accountId: string) => ({ accessKeyId: `LOCAL${accountId}`, secretAccessKey: 'local' });

async function oneValidation(
  stack: Stack,
  { call, base }: { call: Call; base: string },
): Promise<{ wallMs: number; runMs: number }> {
  const bucketName = `bench-${randomBytes(6).toString('hex')}`;
  const created = await call('POST', base, { name: bucketName, region: REGION, bucketName });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  const { integrationId, setup } = created.json as {
    integrationId: string;
    setup: { iamPolicy: unknown; trustPolicy: unknown };
  };

  const accountId = `${randomInt(2, 10)}${String(randomInt(0, 1e11)).padStart(11, '0')}`;
  const s3 = new S3Client({
    endpoint: stack.awsUrl,
    region: REGION,
    credentials: root(accountId),
    forcePathStyle: true,
  });
  const iam = new IAMClient({ endpoint: stack.awsUrl, region: 'us-east-1', credentials: root(accountId) });
  await s3.send(
    new CreateBucketCommand({ Bucket: bucketName, CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: bucketName, AssumeRolePolicyDocument: JSON.stringify(setup.trustPolicy) }),
  );
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: bucketName, PolicyDocument: JSON.stringify(setup.iamPolicy) }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: bucketName, PolicyArn: Policy?.Arn }));

  const started = performance.now();
  const put = await call('PUT', `${base}/${integrationId}/role`, { roleArn: Role?.Arn });
  if (put.status !== 202) throw new Error(`PUT role answered ${put.status}`);
  for (;;) {
    const { json } = await call('GET', `${base}/${integrationId}`);
    if (json.status === 'ACTIVE') {
      const report = json.validation as { startedAt: string; endedAt: string };
      return { wallMs: performance.now() - started, runMs: Date.parse(report.endedAt) - Date.parse(report.startedAt) };
    }
    if (json.status === 'FAILED') throw new Error(`validation failed: ${JSON.stringify(json.validation)}`);
    await sleep(POLL_MS);
  }
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  const median =
    sorted.length % 2 ? at(0.5) : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  return (
    `median ${median.toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, ` +
    `min ${(sorted[0] ?? 0).toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms`
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
