/**
 * Each workspace declares exactly what it uses (scripts/workspace-dependencies.ts): first on this
 * repository, then on a small made-up repository that breaks each rule once, so that no rule can
 * pass by finding nothing to look at.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWorkspaces, moduleUses } from '../../scripts/workspace-dependencies';

const REPOSITORY = resolve(import.meta.dirname, '../..');

describe('the workspaces of this repository', () => {
  it('declare exactly what their files use, and reach the local stack only by package name', () => {
    expect(checkWorkspaces(REPOSITORY)).toEqual([]);
  });
});

describe('the dependency check', () => {
  const root = mkdtempSync(join(tmpdir(), 'workspace-dependencies-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, content: unknown) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  };
  write('package.json', {
    name: 'fixture',
    workspaces: ['pkgs/endpoint', 'pkgs/runtime'],
    imports: { '#shared/*': './shared/*.ts' },
    dependencies: { zod: '*' },
    devDependencies: { '@fixture/runtime': '*', 'left-pad': '*', vitest: '*' },
    scripts: { test: 'vitest run' },
  });
  write('node_modules/vitest/package.json', { name: 'vitest', bin: { vitest: './vitest.mjs' } });
  write(
    'shared/config.ts',
    "import * as z from 'zod';\nimport { pino } from 'pino';\nexport const schema = z.string();\n",
  );
  write('shared/clock.ts', "import { now } from '../pkgs/runtime/src/clock';\nexport const clock = now;\n");
  write(
    'test/config.test.ts',
    "import { it } from 'vitest';\n" +
      "import { startRuntime } from '@fixture/runtime/start';\n" +
      "it('runs', () => startRuntime());\n",
  );
  write('pkgs/endpoint/package.json', {
    name: '@fixture/endpoint',
    exports: { './server': './src/server.ts' },
    imports: { '#endpoint/*': './src/*.ts' },
    dependencies: { '@fixture/runtime': '*' },
  });
  write(
    'pkgs/endpoint/src/server.ts',
    "import { xml } from '#endpoint/xml';\n" +
      "import { parse } from '#shared/config';\n" +
      "import { startRuntime } from '@fixture/runtime/start';\n" +
      'export const serve = () => [xml, parse, startRuntime];\n',
  );
  write('pkgs/endpoint/src/xml.ts', 'export const xml = 1;\n');
  write('pkgs/runtime/package.json', {
    name: '@fixture/runtime',
    exports: { './start': './src/start.ts' },
    dependencies: { '@fixture/endpoint': '*' },
    devDependencies: { yaml: '*' },
    usedWithoutImport: { tsx: 'starts itself with it' },
  });
  write(
    'pkgs/runtime/src/start.ts',
    "import { parse } from 'yaml';\n" +
      "import type { Event } from 'aws-lambda';\n" +
      "import { serve } from '@fixture/endpoint/server';\n" +
      'export const startRuntime = (event?: Event) => [parse(String(event)), serve];\n',
  );
  write('pkgs/runtime/src/clock.ts', 'export const now = () => Date.now();\n');

  const findings = checkWorkspaces(root);

  it('finds an import its workspace does not declare, type-only ones included', () => {
    expect(findings).toContain("shared/config.ts: 'pino' is not declared in (root)/package.json.");
    expect(findings).toContain("pkgs/runtime/src/start.ts: 'aws-lambda' is not declared in pkgs/runtime/package.json.");
  });

  it('finds shipped code that imports a devDependency', () => {
    expect(findings).toContain(
      "pkgs/runtime/src/start.ts: 'yaml' is shipped code's, so yaml belongs in \"dependencies\" of " +
        'pkgs/runtime/package.json, not "devDependencies".',
    );
  });

  it('finds a declared dependency nothing uses, and an unused one explained but not declared', () => {
    expect(findings).toContain(
      '(root)/package.json declares left-pad, which nothing in (root) uses: ' +
        'remove it, or say why under "usedWithoutImport".',
    );
    expect(findings).toContain(
      'pkgs/runtime/package.json explains tsx under "usedWithoutImport" but does not declare it.',
    );
    // vitest is used by the test script's binary and an import; zod by an import.
    expect(findings.filter((finding) => /declares (vitest|zod)/.test(finding))).toEqual([]);
  });

  it('finds a relative path into a package, and an alias of another workspace', () => {
    expect(findings).toContain(
      "shared/clock.ts: '../pkgs/runtime/src/clock' crosses from (root) into pkgs/runtime; " +
        'import a package by its name, through its "exports".',
    );
    expect(findings).toContain(
      'pkgs/endpoint/src/server.ts: \'#shared/config\' matches no "imports" entry of pkgs/endpoint/package.json.',
    );
    expect(findings.some((finding) => finding.includes("'#endpoint/xml'"))).toBe(false);
  });

  it('finds workspaces that depend on each other', () => {
    expect(findings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          String.raw`^Workspaces depend on each other in a cycle: ` +
            String.raw`@fixture\/(endpoint|runtime) -> @fixture\/(endpoint|runtime) -> @fixture\/(endpoint|runtime)\.$`,
        ),
      ),
    );
    expect(findings.filter((finding) => finding.startsWith('Workspaces depend'))).toHaveLength(1);
  });

  it('reports nothing else', () => {
    expect(findings).toHaveLength(8);
  });
});

describe('reading what a file uses', () => {
  it('takes imports, re-exports, dynamic imports and resolves, and tells type-only ones apart', () => {
    const uses = moduleUses(
      'example.ts',
      [
        "import type { A } from 'types-only';",
        "import { type B, c } from 'mixed';",
        "export type { D } from 'reexported-types';",
        "export * from 'reexported';",
        "const lazy = await import('lazy');",
        "const file = createRequire(import.meta.url).resolve('resolved/file.js');",
        "type E = typeof import('type-query');",
        'const text = "import { x } from \'inside-a-string\'";',
      ].join('\n'),
    );
    expect(uses).toEqual([
      { specifier: 'types-only', typeOnly: true },
      { specifier: 'mixed', typeOnly: false },
      { specifier: 'reexported-types', typeOnly: true },
      { specifier: 'reexported', typeOnly: false },
      { specifier: 'lazy', typeOnly: false },
      { specifier: 'resolved/file.js', typeOnly: false },
      { specifier: 'type-query', typeOnly: true },
    ]);
  });
});
