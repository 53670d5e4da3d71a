/**
 * What makes every source file readable the same way (Prettier's layout is checked by npm run lint):
 * no line longer than 120 characters, an overview comment at the very top saying what the file is
 * for (set apart from the code below it, so it is not the doc comment of the first declaration),
 * and citations of the product contract that point into this repository
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

/**
 * The line just after a file's first comment (a shebang and triple-slash directives skipped), or
 * undefined when the file does not open with a comment.
 */
function lineAfterFirstComment(source: string): string | undefined {
  const lines = source.split('\n');
  let at = lines.findIndex((line) => !/^(#!|\/\/\/ <reference|\s*$)/.test(line));
  const opening = lines[at]?.trimStart() ?? '';
  if (opening.startsWith('/*')) {
    while (at < lines.length && !lines[at]?.includes('*/')) at += 1;
  } else if (opening.startsWith('//')) {
    while (lines[at + 1]?.trimStart().startsWith('//')) at += 1;
  } else return undefined;
  return lines[at + 1];
}

/** A line that declares something a doc comment right above it would describe. */
const DECLARATION = /^\s*(export|declare|abstract|async|function|const|let|var|class|interface|type|enum)\b/;

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

  it('keeps that overview apart from the first declaration, so it describes the file, not the declaration', () => {
    // An overview sitting right on a declaration reads (and is shown by editors) as that declaration's doc
    // comment: a blank line goes between them, and a comment that only describes the declaration stays on it
    // below an overview of its own.
    const onDeclaration = sourceFiles.filter((file) => DECLARATION.test(lineAfterFirstComment(text(file)) ?? ''));
    expect(onDeclaration).toEqual([]);
  });

  it('cites the product contract in this repository', () => {
    const outside = sourceFiles.filter((file) => /\bSPEC (section|§)|shared\/SPEC\.md/.test(text(file)));
    expect(outside).toEqual([]);
  });
});
