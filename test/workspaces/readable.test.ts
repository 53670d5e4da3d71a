/**
 * What makes every source file readable the same way (Prettier's layout is checked by npm run lint):
 * no line longer than 120 characters, an overview comment at the very top saying what the file is
 * for, and citations of the product contract that point into this repository
 * (docs/product-contract.md), never to a document outside it. The YAML files (serverless.yml, the
 * alarms, the state machines) keep to the same 120 characters.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MAX_LINE = 120;
/** Written by a generator, compared byte for byte with its output (test/console/api-types.test.ts). */
const GENERATED = new Set(['console/src/api/schema.d.ts']);

/** The tracked (and new, not ignored) files matching the patterns. */
const filesMatching = (...patterns: string[]) =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...patterns], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '' && !GENERATED.has(file));

const sourceFiles = filesMatching('*.ts', '*.js', '*.mjs', '*.cjs');
/** Folded with YAML's own means (`>-`, block collections), so their values stay what they were. */
const yamlFiles = filesMatching('*.yml', '*.yaml');
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('every source file', () => {
  it('is found (the check reads the tracked tree)', () => {
    expect(sourceFiles).toContain('test/workspaces/readable.test.ts');
    expect(yamlFiles).toEqual(expect.arrayContaining(['serverless.yml', 'deploy/monitoring.yml']));
  });

  it(`has no line longer than ${MAX_LINE} characters, YAML included`, () => {
    const long = [...sourceFiles, ...yamlFiles].flatMap((file) =>
      text(file)
        .split('\n')
        .flatMap((line, index) => (line.length > MAX_LINE ? [`${file}:${index + 1} (${line.length})`] : [])),
    );
    expect(long).toEqual([]);
  });

  it('opens with an overview comment, before its imports', () => {
    const withoutOverview = sourceFiles.filter((file) => !/^(#![^\n]*\n)?\s*(\/\*|\/\/)/.test(text(file)));
    expect(withoutOverview).toEqual([]);
  });

  it('cites the product contract in this repository', () => {
    const outside = sourceFiles.filter((file) => /\bSPEC (section|§)|shared\/SPEC\.md/.test(text(file)));
    expect(outside).toEqual([]);
  });
});
