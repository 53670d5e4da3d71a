/**
 * A local stack of its own for a bench: started as `npm start` does (a child process running
 * local/start.ts) on free ports with a throw-away data directory, stopped when the bench ends.
 * Answers what the stack writes to its ready file: URLs, JWT settings and the function environment
 * (which lets a bench call handlers in-process, configured exactly as the stack's own).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSigningKey, signToken, type Claims } from '#local/runtime/jwt';
import { REPOSITORY_ROOT } from '#local/runtime/paths';

export interface BenchStack {
  apiUrl: string;
  awsUrl: string;
  dynamodbUrl: string;
  jwtKeyDir: string;
  jwt: { issuer: string; audience: string };
  environment: Record<string, string>;
  logFile: string;
  token(claims: Claims): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Root credentials of any account on the local endpoint (SPEC section 7): not secrets. */
export const rootCredentials = (accountId: string) => ({ accessKeyId: `LOCAL${accountId}`, secretAccessKey: 'local' });

export async function startBenchStack(settings: Record<string, string> = {}): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  const readyFile = join(dir, 'ready.json');
  const logFile = join(dir, 'stack.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      LOCAL_API_PORT: '0',
      LOCAL_AWS_PORT: '0',
      LOCAL_DYNAMODB_PORT: '0',
      LOCAL_DATA_DIR: join(dir, 'data'),
      LOCAL_READY_FILE: readyFile,
      LOCAL_EXIT_WITH_PARENT: '1',
      LOCAL_LOG_LEVEL: 'WARN',
      ...settings,
    },
    stdio: ['pipe', log, log],
  });
  closeSync(log);
  const deadline = Date.now() + START_TIMEOUT_MS;
  let ready: Omit<BenchStack, 'logFile' | 'token' | 'stop'> | undefined;
  while (!ready) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the local stack did not start:\n${readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n')}`);
    }
    ready = readyInfo(readyFile);
    if (!ready) await sleep(100);
  }
  const key = loadOrCreateSigningKey(ready.jwtKeyDir);
  const jwt = ready.jwt;
  return {
    ...ready,
    logFile,
    token: (claims) => signToken(claims, key, jwt),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The ready file once it is complete (the stack may still be writing it). */
function readyInfo(path: string): Omit<BenchStack, 'logFile' | 'token' | 'stop'> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Omit<BenchStack, 'logFile' | 'token' | 'stop'>;
  } catch {
    return undefined;
  }
}
