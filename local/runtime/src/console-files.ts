/**
 * The customer console's static files (console/dist), served by the local HTTP API under
 * /console/, and built when they are missing or stale: Vite's build records every file it read
 * (console/vite.config.ts writes dist/.build-inputs.json); the build is stale as soon as one of
 * them, or the build configuration, changes. So `npm start` always serves what the sources say,
 * with no second command and no watcher. Builds go to a fresh directory that replaces dist whole.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import type { HttpAnswer } from '#runtime/http-api-event';
import { REPOSITORY_ROOT } from '#runtime/paths';

export const CONSOLE_DIR = join(REPOSITORY_ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
const INPUTS_FILE = '.build-inputs.json';
/** Read by every build, whatever it imports; this file too, since it decides how the build runs. */
const BUILD_CONFIGURATION = [
  'console/vite.config.ts',
  'console/package.json',
  'console/index.html',
  'package-lock.json',
  'local/runtime/src/console-files.ts',
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** The fingerprint of a set of repository files; a missing file counts as a change. */
function fingerprint(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    hash.update(file).update('\0');
    try {
      hash.update(readFileSync(join(REPOSITORY_ROOT, file)));
    } catch {
      hash.update('missing');
    }
  }
  return hash.digest('hex');
}

interface BuildRecord {
  fingerprint: string;
  inputs: string[];
}

function isFresh(dist: string): boolean {
  try {
    const record = JSON.parse(readFileSync(join(dist, INPUTS_FILE), 'utf8')) as BuildRecord;
    return record.fingerprint === fingerprint([...record.inputs, ...BUILD_CONFIGURATION]);
  } catch {
    return false;
  }
}

const building = new Map<string, Promise<void>>();

/** Builds the console into `dist` unless it is fresh; concurrent callers share one build. */
export function ensureConsoleBuilt(dist = CONSOLE_DIST): Promise<void> {
  if (isFresh(dist)) return Promise.resolve();
  let running = building.get(dist);
  if (!running) {
    running = build(dist).finally(() => building.delete(dist));
    building.set(dist, running);
  }
  return running;
}

async function build(dist: string): Promise<void> {
  // Beside dist, so the swap is a rename on one file system.
  const outDir = mkdtempSync(join(dirname(dist), '.dist-'));
  const vite = join(REPOSITORY_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((done, failed) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: CONSOLE_DIR,
      // A production build whoever starts the stack: under vitest NODE_ENV is `test`, which would
      // make Vite build Lit's development variant and set import.meta.env.DEV.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', failed);
    child.on('exit', done);
  });
  if (code !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`The console build failed:\n${Buffer.concat(output).toString('utf8').slice(-4000)}`);
  }
  const inputs = JSON.parse(readFileSync(join(outDir, INPUTS_FILE), 'utf8')) as string[];
  const record: BuildRecord = { fingerprint: fingerprint([...inputs, ...BUILD_CONFIGURATION]), inputs };
  writeFileSync(join(outDir, INPUTS_FILE), JSON.stringify(record));
  swapIn(outDir, dist);
}

/**
 * Replaces `dist` with the new build. Another stack on this checkout may swap in its own build at
 * the same moment (the same sources give the same files): whichever lands last wins, whole.
 */
function swapIn(outDir: string, dist: string): void {
  for (let attempt = 1; ; attempt += 1) {
    const old = `${dist}.old-${process.pid}-${attempt}`;
    try {
      if (existsSync(dist)) renameSync(dist, old);
      renameSync(outDir, dist);
      rmSync(old, { recursive: true, force: true });
      return;
    } catch (error) {
      rmSync(old, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 5 || !['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(code ?? '')) throw error;
    }
  }
}

/**
 * Answers GET /console/... from the built files; the entry page (and any unknown path, for deep links) is
 * index.html.
 */
export async function consoleFile(pathname: string): Promise<HttpAnswer> {
  if (pathname === '/console') return { statusCode: 301, headers: { location: '/console/' }, body: Buffer.alloc(0) };
  const relativePath = decodeURIComponent(pathname.slice('/console/'.length));
  const isEntry = relativePath === '' || relativePath === 'index.html' || !relativePath.includes('.');
  try {
    if (isEntry) await ensureConsoleBuilt();
  } catch (error) {
    return {
      statusCode: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from((error as Error).message),
    };
  }
  const file = resolve(CONSOLE_DIST, isEntry ? 'index.html' : normalize(relativePath));
  if (relative(CONSOLE_DIST, file).startsWith('..') || file.includes(`${sep}.`)) return notFound();
  try {
    const body = await readFile(file);
    const immutable = relativePath.startsWith('assets/');
    return {
      statusCode: 200,
      headers: {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        // Hashed asset names never change content; the entry page must always be asked for again.
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      },
      body,
    };
  } catch {
    return notFound();
  }
}

const notFound = (): HttpAnswer => ({
  statusCode: 404,
  headers: { 'content-type': 'text/plain' },
  body: Buffer.from('Not Found'),
});
