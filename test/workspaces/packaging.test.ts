/**
 * What `npm run package` (which npm test runs first) puts into each function's zip: its bundle and
 * source map, built from the service's code and its libraries only. The source map lists every
 * file the bundle was built from, so a function that reached the local stack or the console (by
 * package name or by path) would show here before a deploy.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipEntries, zipEntryBytes } from '../../scripts/zip-entries';

const PACKAGE_DIR = resolve(import.meta.dirname, '../../.serverless');

function packagedFunctions(): string[] {
  if (!existsSync(PACKAGE_DIR))
    throw new Error(`${PACKAGE_DIR} does not exist: run \`npm run package\` first (npm test does).`);
  return readdirSync(PACKAGE_DIR).filter((file) => file.endsWith('.zip'));
}

/** The repository files a zip's bundle was built from, from its source map. */
function bundledSources(zipFile: string): { entries: string[]; sources: string[] } {
  const zip = readFileSync(join(PACKAGE_DIR, zipFile));
  const entries = zipEntries(zip);
  const map = entries.find((entry) => entry.name.endsWith('.mjs.map'));
  if (!map) throw new Error(`${zipFile} has no source map`);
  const { sources } = JSON.parse(zipEntryBytes(zip, map).toString('utf8')) as { sources: string[] };
  // Paths are relative to the map inside .esbuild/.build/functions/<name>/: strip the climb back to the repository.
  return {
    entries: entries.map((entry) => entry.name),
    sources: sources.map((source) => normalize(source).replace(/^(\.\.\/)+/, '')),
  };
}

describe('the function packages', () => {
  const zips = packagedFunctions();

  it('exist for every function', () => {
    expect(zips.length).toBeGreaterThan(20);
  });

  it.each(zips)('%s holds one bundle built from functions/, shared/ and libraries only', (zipFile) => {
    const { entries, sources } = bundledSources(zipFile);
    expect(entries).toEqual([
      expect.stringMatching(/^functions\/[a-z-]+\/handler\.mjs$/),
      expect.stringMatching(/^functions\/[a-z-]+\/handler\.mjs\.map$/),
    ]);
    expect(sources.some((source) => source.startsWith('functions/'))).toBe(true);
    const foreign = sources.filter(
      (source) =>
        !/^(functions|shared)\//.test(source) &&
        !(source.startsWith('node_modules/') && !source.startsWith('node_modules/@s3-integrations/')),
    );
    expect(foreign).toEqual([]);
  });
});
