/**
 * The local stack as a child process, started exactly as `npm start` starts it (start.ts) on
 * free ports with a throw-away data directory: for the test harness and the benches. Its output
 * goes to a log file; it dies with its parent (LOCAL_EXIT_WITH_PARENT) and is stopped with SIGTERM,
 * so it can stop DynamoDB Local, or SIGKILL if it hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPOSITORY_ROOT } from '#runtime/paths';

/** What start.ts writes to its ready file. */
export interface StackInfo {
  apiUrl: string;
  awsUrl: string;
  dynamodbUrl: string;
  /**
   * With LOCAL_METER_DYNAMODB=1: the functions' DynamoDB endpoint, whose `/_local/usage` counts their capacity units.
   */
  dynamodbMeterUrl?: string;
  jwtKeyDir: string;
  jwt: { issuer: string; audience: string };
  /** Every function's variables together, without credentials (each function has its own role). */
  environment: Record<string, string>;
  /** The role each function runs as, by function key. */
  functionRoles: Record<string, string>;
}

export interface ChildStack extends StackInfo {
  /** The stack's process: every local service but DynamoDB Local runs in it. */
  pid: number;
  logFile: string;
  /** Stops the stack; its data directory and log file stay until `remove()`. */
  stop(): Promise<void>;
  remove(): void;
}

const START_TIMEOUT_MS = 90_000;
const START_SCRIPT = resolve(import.meta.dirname, 'start.ts');

export async function startChildStack(
  settings: Record<string, string> = {},
  label = 'local-stack',
): Promise<ChildStack> {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  const readyFile = join(dir, 'ready.json');
  const logFile = join(dir, 'stack.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', START_SCRIPT], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      LOCAL_API_PORT: '0',
      LOCAL_AWS_PORT: '0',
      LOCAL_DYNAMODB_PORT: '0',
      LOCAL_DATA_DIR: join(dir, 'data'),
      LOCAL_READY_FILE: readyFile,
      LOCAL_EXIT_WITH_PARENT: '1',
      ...settings,
    },
    stdio: ['pipe', log, log],
  });
  closeSync(log);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await waitForReady(child, readyFile, logFile);
  } catch (error) {
    await stop(child);
    remove();
    throw error;
  }
  const info = JSON.parse(readFileSync(readyFile, 'utf8')) as StackInfo;
  return { ...info, pid: child.pid ?? 0, logFile, stop: () => stop(child), remove };
}

async function waitForReady(child: ChildProcess, readyFile: string, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  // start.ts writes the file aside and renames it, so once it exists it is complete.
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const output = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(
        `The local stack did not start${
          child.exitCode !== null ? ` (exit code ${child.exitCode})` : ' in time'
        }:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
