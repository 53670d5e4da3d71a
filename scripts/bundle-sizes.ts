/**
 * `npm run bundle-sizes` (after `npm run package`): each function's deployment package as Lambda
 * receives it, a Markdown table for docs/operations.md. Columns: the zip, the minified handler
 * (.mjs) and its source map, and the AWS SDK clients bundled. `--timing` adds the time a fresh
 * Node process takes to import the handler (median of 5, this machine, no network): the part of
 * a cold start that the bundle decides.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipEntries, zipEntryBytes } from './zip-entries';

const PACKAGE_DIR = '.serverless';
const KB = 1024;
const kb = (bytes: number) => `${Math.round(bytes / KB).toLocaleString('en-US')} KB`;

/** The environment config() checks at start-up, so that importing a handler succeeds offline. */
const IMPORT_ENV = {
  TABLE_NAME: 'table',
  PLATFORM_ACCOUNT_ID: '111111111111',
  SERVED_REGIONS: 'us-east-1',
  AWS_REGION: 'us-east-1',
};

function importMilliseconds(handler: Buffer, map: Buffer | undefined): number {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-timing-'));
  try {
    writeFileSync(join(dir, 'handler.mjs'), handler);
    if (map) writeFileSync(join(dir, 'handler.mjs.map'), map);
    const probe =
      "const t = process.hrtime.bigint(); await import('./handler.mjs'); " +
      'console.log(Number(process.hrtime.bigint() - t) / 1e6);';
    const runs = Array.from({ length: 5 }, () =>
      Number(
        execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', probe], {
          cwd: dir,
          env: { ...process.env, ...IMPORT_ENV },
        }).toString(),
      ),
    ).sort((a, b) => a - b);
    return runs[2] ?? Number.NaN;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const timing = process.argv.includes('--timing');
const zips = readdirSync(PACKAGE_DIR).filter((file) => file.endsWith('.zip'));
if (zips.length === 0) throw new Error(`No function packages in ${PACKAGE_DIR}/: run \`npm run package\` first.`);

const rows = zips.map((file) => {
  const zip = readFileSync(join(PACKAGE_DIR, file));
  const entries = zipEntries(zip);
  const handler = entries.find((entry) => entry.name.endsWith('.mjs'));
  const map = entries.find((entry) => entry.name.endsWith('.mjs.map'));
  if (!handler) throw new Error(`${file} holds no .mjs handler`);
  const code = zipEntryBytes(zip, handler);
  const mapBytes = map ? zipEntryBytes(zip, map) : undefined;
  // The source map lists every bundled module: the AWS SDK client packages among them.
  const sources = mapBytes ? (JSON.parse(mapBytes.toString('utf8')) as { sources: string[] }).sources : [];
  const clients = [
    ...new Set(sources.flatMap((source) => /@aws-sdk\/client-([a-z0-9-]+)\//.exec(source)?.[1] ?? [])),
  ].sort();
  return {
    name: file.replace(/\.zip$/, ''),
    zip: statSync(join(PACKAGE_DIR, file)).size,
    mjs: handler.size,
    map: map?.size ?? 0,
    clients,
    importMs: timing ? importMilliseconds(code, mapBytes) : undefined,
  };
});
rows.sort((a, b) => a.zip - b.zip || a.name.localeCompare(b.name));

const header = [
  'function',
  'zip',
  'handler .mjs (minified)',
  'source map',
  'AWS SDK clients',
  ...(timing ? ['import (ms)'] : []),
];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map((_, index) => (index === 0 || index === 4 ? '---' : '---:')).join(' | ')} |`);
for (const row of rows) {
  const cells = [
    row.name,
    kb(row.zip),
    kb(row.mjs),
    kb(row.map),
    row.clients.join(', ') || '-',
    ...(timing ? [String(Math.round(row.importMs ?? 0))] : []),
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
const total = rows.reduce((sum, row) => sum + row.zip, 0);
console.log(`\n${rows.length} functions, ${kb(total)} zipped in total.`);
