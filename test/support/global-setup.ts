/**
 * Starts ONE local stack for the whole test run, as `npm start` does (a child process running
 * local/start.ts), on free ports with a throw-away data dir, and shares its URLs and function
 * environment with the workers (`inject('localStack')`, and process.env via worker-env.ts).
 * A child process keeps the handlers out of vitest's module graph, and dies with this process.
 * LOCAL_STACK=off skips it for runs that do not need it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPOSITORY_ROOT } from '#local/runtime/paths';
import type { LocalStackInfo } from './local-stack';
import { describeFindings, findSecrets } from './secret-scan';

const START_TIMEOUT_MS = 90_000;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.LOCAL_STACK === 'off') {
    project.provide('localStack', null);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
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
      LOCAL_SCHEDULE_SECONDS: process.env.LOCAL_SCHEDULE_SECONDS ?? '2',
      LOCAL_ASYNC_RETRY_MS: process.env.LOCAL_ASYNC_RETRY_MS ?? '200',
    },
    stdio: ['pipe', log, log],
  });
  closeSync(log);

  try {
    await waitForReady(child, readyFile, logFile);
  } catch (error) {
    await stop(child);
    throw error;
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as Omit<LocalStackInfo, 'logFile'>;
  const info: LocalStackInfo = { ...ready, logFile };
  project.provide('localStack', info);

  // After every test file: the stack's whole output must be free of credentials, session tokens,
  // external IDs and bearer tokens. Throwing here fails the run (vitest exits non-zero).
  return async () => {
    await stop(child);
    const findings = findSecrets(readFileSync(logFile, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    if (findings.length > 0) throw new Error(describeFindings(findings, 'stack.log'));
  };
}

async function waitForReady(child: ChildProcess, readyFile: string, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const output = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`The local stack for the tests did not start${child.exitCode !== null ? ` (exit code ${child.exitCode})` : ' in time'}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM lets the stack stop DynamoDB Local; SIGKILL if it hangs. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
