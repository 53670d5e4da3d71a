/**
 * Functions run as the stack runs them: bundled, each in a worker thread of its own, as its own
 * role (local/runtime/test/fixtures/roles: two functions of one handler module, different statements). Real
 * AWS SDK clients in the handlers, against a local AWS endpoint of the test's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCloudFormation } from '#runtime/cloudformation';
import { environmentOf } from '#runtime/env';
import { bundleFunctions } from '#runtime/function-bundles';
import { functionRoles } from '#runtime/function-roles';
import { FunctionSessions, provisionRoles } from '#runtime/function-sessions';
import { LocalFunctions } from '#runtime/functions';
import { workerSandboxes } from '#runtime/sandboxes';
import { loadService, type LocalService } from '#runtime/service-model';
import { PLATFORM, rootCredentials, startFixture, type Fixture } from '@s3-integrations/aws-endpoint/testing';

interface Probe {
  arn: string;
  invocations: number;
  onlyIn: string | null;
  shared: string | null;
  accessKeyId: string;
  put: string;
}

const SERVERLESS_YML = resolve(import.meta.dirname, 'fixtures/roles/serverless.yml');
let endpoint: Fixture;
let service: LocalService;
let functions: LocalFunctions;
let sessions: FunctionSessions;
let bundleDir: string;

const invoke = async (key: string, event: object = {}) =>
  (await functions.invoke(functions.get(key), event, { trigger: 'test' })) as Probe;

beforeAll(async () => {
  endpoint = await startFixture();
  service = loadService(SERVERLESS_YML);
  const cloudFormation = new LocalCloudFormation(service, endpoint.endpoint.url);
  const roles = functionRoles(cloudFormation);
  await provisionRoles(service, roles.values(), endpoint.endpoint.url);
  // Renewed every 300 ms here, so the test sees a renewal reach a running sandbox.
  sessions = new FunctionSessions(service.functions, roles, endpoint.endpoint.assumeRoleAsService, {
    sessionSeconds: 900,
    renewEveryMs: 300,
  });
  bundleDir = mkdtempSync(join(tmpdir(), 'roles-fixture-'));
  const bundles = await bundleFunctions(service, bundleDir);
  const endpoints = { awsUrl: endpoint.endpoint.url, dynamodbUrl: 'http://127.0.0.1:1' };
  functions = new LocalFunctions(
    service,
    workerSandboxes(bundles, (fn) => ({
      ...environmentOf(cloudFormation, fn, endpoints),
      ...sessions.variablesOf(fn.key),
    })),
  );
  const s3 = new S3Client({
    endpoint: endpoint.endpoint.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: rootCredentials(PLATFORM),
  });
  await s3.send(new CreateBucketCommand({ Bucket: `roles-fixture-${PLATFORM}` }));
});

afterAll(async () => {
  sessions?.close();
  await functions?.close();
  await endpoint?.stop();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe('functions in their sandboxes', () => {
  it('call AWS as their own role, in a session named after the function, as Lambda does', async () => {
    expect((await invoke('whoami')).arn).toBe(
      `arn:aws:sts::${PLATFORM}:assumed-role/roles-fixture-test-whoami-us-east-1-lambdaRole/roles-fixture-test-whoami`,
    );
    expect((await invoke('writer')).arn).toBe(
      `arn:aws:sts::${PLATFORM}:assumed-role/roles-fixture-test-writer-us-east-1-lambdaRole/roles-fixture-test-writer`,
    );
  });

  it('are allowed exactly what their statements allow, their Deny statements included', async () => {
    expect((await invoke('writer', { put: 'exports/a' })).put).toBe('ok');
    expect((await invoke('writer', { put: 'secret/a' })).put).toBe('AccessDenied');
    // Same code, another role: no PutObject at all.
    expect((await invoke('whoami', { put: 'exports/a' })).put).toBe('AccessDenied');
  });

  it('each have their own environment and module state, though they share one handler module', async () => {
    const first = await invoke('whoami');
    const writer = await invoke('writer');
    const second = await invoke('whoami');
    expect([first.onlyIn, writer.onlyIn]).toEqual(['whoami', 'writer']);
    expect([first.shared, writer.shared]).toEqual(['provider', 'provider']);
    expect(second.invocations).toBe(first.invocations + 1);
    expect(writer.accessKeyId).not.toBe(first.accessKeyId);
  });

  it('get their renewed session into their running sandbox', async () => {
    const before = (await invoke('whoami')).accessKeyId;
    sessions.startRenewing((key, variables) => functions.updateEnvironment(key, variables));
    await new Promise((done) => setTimeout(done, 700));
    const after = await invoke('whoami');
    expect(after.accessKeyId).not.toBe(before);
    expect(after.accessKeyId).toBe(sessions.variablesOf('whoami').AWS_ACCESS_KEY_ID);
  });

  it('fail what a crashed sandbox was running, then start a fresh one (cold, module state reset)', async () => {
    await expect(invoke('writer', { crash: true })).rejects.toThrow(/crash on purpose/);
    const fresh = await invoke('writer');
    expect(fresh.invocations).toBe(1);
    expect(fresh.arn).toContain('/roles-fixture-test-writer');
  });
});

describe('bundling the functions at start', () => {
  it('stops the start when a handler module does not export the named function', async () => {
    const broken: LocalService = {
      ...service,
      functions: service.functions.map((fn) => ({ ...fn, exportName: 'nothing' })),
    };
    await expect(bundleFunctions(broken, join(bundleDir, 'broken'))).rejects.toThrow(
      /functions\.whoami: .*probe\.ts does not export a function named "nothing"/,
    );
  });
});
