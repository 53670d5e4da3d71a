/**
 * Helpers for tests that run against the local stack the global setup started (one per test
 * run): its URLs, tokens its API accepts, AWS SDK clients for any account, and fault injection.
 */
import { randomInt } from 'node:crypto';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { inject } from 'vitest';
import type { FaultSettings } from '@s3-integrations/aws-endpoint/contract';
import type { AssumeRoleCall } from '@s3-integrations/aws-endpoint/sts-journal';
import { loadOrCreateSigningKey, signToken, type Claims, type SigningKey } from '@s3-integrations/local-runtime/jwt';

/** What the global setup shares with every test worker. */
export interface LocalStackInfo {
  apiUrl: string;
  awsUrl: string;
  dynamodbUrl: string;
  jwtKeyDir: string;
  jwt: { issuer: string; audience: string };
  /** Every function's variables together, without credentials; workers get them too (worker-env.ts). */
  environment: Record<string, string>;
  /** The role each function runs as, by function key. */
  functionRoles: Record<string, string>;
  /** The stack's output, for when a test needs to see what a function logged. */
  logFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: LocalStackInfo | null;
  }
}

export function localStack(): LocalStackInfo {
  const stack = inject('localStack');
  if (!stack) throw new Error('The local stack is not running in this test run (LOCAL_STACK=off?).');
  return stack;
}

let signingKey: SigningKey | undefined;

/** A token the local API accepts; standard claims left out get the local defaults. */
export function mintToken(claims: Claims): Promise<string> {
  const stack = localStack();
  signingKey ??= loadOrCreateSigningKey(stack.jwtKeyDir);
  return signToken(claims, signingKey, stack.jwt);
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
  text: string;
}

/**
 * A small fetch wrapper for the local HTTP API; `token` becomes the bearer token. It may be the
 * promise mintToken returns (signing is asynchronous), so `api(mintToken(...))` reads naturally.
 */
export function api(pendingToken?: string | Promise<string>) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> => {
    const token = await pendingToken;
    const response = await fetch(`${localStack().apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    put: (path: string, body?: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) => call('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}

/** Root credentials of any account on the local endpoint (docs/product-contract.md §7). */
export function rootCredentials(accountId: string) {
  return { accessKeyId: `LOCAL${accountId}`, secretAccessKey: 'local' };
}

/** AWS SDK clients acting as the root user of `accountId` against the local endpoint. */
export function clientsFor(accountId: string, region = 'us-east-1') {
  const config = { endpoint: localStack().awsUrl, region, credentials: rootCredentials(accountId) };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    iam: new IAMClient(config),
    sts: new STSClient(config),
    kms: new KMSClient(config),
  };
}

const usedAccountIds = new Set<string>();

/** A customer account id no other test uses (never the platform's 111111111111). */
export function uniqueAccountId(): string {
  for (;;) {
    const id = `${randomInt(2, 10)}${String(randomInt(0, 1e11)).padStart(11, '0')}`;
    if (!usedAccountIds.has(id)) {
      usedAccountIds.add(id);
      return id;
    }
  }
}

/** Switches fault injection on at the endpoint; it stays on until clearFaults(). */
export async function setFaults(settings: Partial<FaultSettings>): Promise<void> {
  const response = await fetch(`${localStack().awsUrl}/_local/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!response.ok) throw new Error(`Setting faults failed: ${response.status} ${await response.text()}`);
}

/** How many requests the faults set last have failed so far (0 when none are set). */
export async function faultsInjected(): Promise<number> {
  const response = await fetch(`${localStack().awsUrl}/_local/faults`);
  if (!response.ok) throw new Error(`Reading faults failed: ${response.status}`);
  return ((await response.json()) as { faultsInjected?: number }).faultsInjected ?? 0;
}

export async function clearFaults(): Promise<void> {
  const response = await fetch(`${localStack().awsUrl}/_local/faults`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`Clearing faults failed: ${response.status}`);
}

/** Every AssumeRole call made on `roleArn`, oldest first: what the role owner's CloudTrail would show. */
export async function assumeRoleCalls(roleArn: string): Promise<AssumeRoleCall[]> {
  const response = await fetch(
    `${localStack().awsUrl}/_local/sts/assume-role-calls?roleArn=${encodeURIComponent(roleArn)}`,
  );
  if (!response.ok) throw new Error(`Reading the AssumeRole journal failed: ${response.status}`);
  return ((await response.json()) as { calls: AssumeRoleCall[] }).calls;
}
