/**
 * Fault injection of the local endpoint: errors, throttling, dropped connections and latency aimed at
 * chosen services and actions, as the SDK's retries see them, and the admin API that switches them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '#endpoint/server';
import {
  PLATFORM,
  clientConfig,
  failure,
  recordingHooks,
  rootCredentials,
  startFixture,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterEach(() => fixture.endpoint.faults.clear());
afterAll(() => fixture.stop());

const sts = (maxAttempts = 1) => new STSClient({ ...clientConfig(fixture, rootCredentials(PLATFORM)), maxAttempts });
const admin = (method: string, body?: unknown) =>
  fetch(`${fixture.endpoint.url}/_local/faults`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('fault injection', () => {
  it('fails maxFaults requests, then lets the SDK retry succeed', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', services: ['sts'], maxFaults: 2 });
    const answer = await sts(3).send(new GetCallerIdentityCommand({}));
    expect(answer.Account).toBe(PLATFORM);
    expect(answer.$metadata.attempts).toBe(3);
  });

  it('answers InternalError 500 in the service protocol while faults remain', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', maxFaults: 1 });
    expect(await failure(sts().send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InternalError',
      status: 500,
    });
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
  });

  it('throttles JSON services with ThrottlingException under slowdown', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'slowdown', services: ['kms'] });
    const kms = new KMSClient(clientConfig(fixture, rootCredentials(PLATFORM)));
    expect(await failure(kms.send(new CreateKeyCommand({})))).toMatchObject({
      name: 'ThrottlingException',
      status: 400,
    });
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
  });

  it('drops the connection without an answer', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'drop-connection', maxFaults: 1 });
    const dropped = await failure(sts().send(new GetCallerIdentityCommand({})));
    expect(dropped.status).toBeUndefined();
    expect(dropped.message).toMatch(/socket hang up|ECONNRESET/);
  });

  it('only hits the actions it is aimed at, and adds latency to them', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', actions: ['sts:AssumeRole'] });
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
    fixture.endpoint.faults.set({ errorRate: 0, latencyMs: 200, actions: ['sts:GetCallerIdentity'] });
    const started = Date.now();
    await sts().send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('is switched on and off through the admin API, which checks what it is given', async () => {
    expect((await admin('PUT', { errorRate: 1, mode: 'slowdown', services: ['sts'] })).status).toBe(200);
    expect(await failure(sts().send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'Throttling',
      status: 400,
    });
    expect((await admin('DELETE')).status).toBe(204);
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
    expect((await admin('PUT', { errorRate: 2 })).status).toBe(400);
    expect((await admin('PUT', { mode: 'explode' })).status).toBe(400);
    const notJson = await fetch(`${fixture.endpoint.url}/_local/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
    expect(await (await fetch(`${fixture.endpoint.url}/_local/health`)).json()).toEqual({ status: 'ok' });
  });
});

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('admin API reachability', () => {
  it.skipIf(!externalAddress)('refuses admin calls that do not come from loopback', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-aws-admin-'));
    const endpoint = await startAwsEndpoint({ port: 0, host: '0.0.0.0', dataDir, hooks: recordingHooks() });
    try {
      const port = new URL(endpoint.url).port;
      expect((await fetch(`http://${externalAddress}:${port}/_local/health`)).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/_local/health`)).status).toBe(200);
    } finally {
      await endpoint.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
