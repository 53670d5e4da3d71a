/**
 * Checks that every npm workspace of the repository (the service at the root, console/, and the
 * local stack's packages under local/) declares exactly what its files use:
 *
 * - every package a file imports, requires or resolves is in its workspace's package.json (an
 *   import that only works because npm hoisted another workspace's dependency is a finding);
 *   deployed or shipped code (`src/`, `functions/`, `shared/`) needs `dependencies`, except for
 *   type-only imports, which tests, tools and types may take from `devDependencies`;
 * - every declared dependency is used: imported, run by a script of the package.json, a plugin
 *   serverless.yml loads, a peer another declared dependency requires, or listed with its reason
 *   under `usedWithoutImport`;
 * - a package with `exports` (the local stack's) is reached only through them, by its name: no
 *   relative import crosses into it or out of it; a `#` import names one of the workspace's own
 *   `imports`;
 * - the workspaces' dependencies on each other have no cycle.
 *
 * `npx tsx scripts/workspace-dependencies.ts` prints the findings; a test runs it in `npm test`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

interface Manifest {
  name?: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
  imports?: Record<string, unknown>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  /** Dependencies no file imports, each with why it is there. */
  usedWithoutImport?: Record<string, string>;
}

export interface ModuleUse {
  specifier: string;
  /** Erased at compile time: `import type`, `export type`, `typeof import('x')`. */
  typeOnly: boolean;
}

/** Repository files a workspace may import by relative path: the shared configuration. */
const SHARED_CONFIGURATION = ['eslint.base.js', 'tsconfig.base.json'];
/** Folders whose code is deployed or shipped: what they import must be a runtime dependency. */
const SHIPPED_FOLDERS = ['src', 'functions', 'shared'];
const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'coverage']);
const BUILTINS = new Set(builtinModules);

/**
 * What a file takes from other modules, read with TypeScript's parser (so text in strings is never
 * taken for an import).
 */
export function moduleUses(fileName: string, text: string): ModuleUse[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const uses: ModuleUse[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const onlyTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name && !!named && named.length > 0 && named.every((element) => element.isTypeOnly)));
      uses.push({ specifier: literal(node.moduleSpecifier) ?? '', typeOnly: onlyTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      uses.push({
        specifier: literal(node.moduleSpecifier) ?? '',
        typeOnly: node.isTypeOnly || (!!named && named.length > 0 && named.every((element) => element.isTypeOnly)),
      });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      uses.push({ specifier: literal(node.moduleReference.expression) ?? '', typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node)) {
      const argument = ts.isLiteralTypeNode(node.argument) ? literal(node.argument.literal) : undefined;
      if (argument) uses.push({ specifier: argument, typeOnly: true });
    } else if (ts.isCallExpression(node)) {
      const specifier = literal(node.arguments[0]);
      if (specifier && isModuleCall(node.expression)) uses.push({ specifier, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses.filter((use) => use.specifier !== '');
}

/** `import('x')`, `require('x')`, `require.resolve('x')` and `createRequire(...).resolve('x')`. */
function isModuleCall(callee: ts.Expression): boolean {
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'resolve') return false;
  const target = callee.expression;
  if (ts.isIdentifier(target)) return target.text === 'require';
  return (
    ts.isCallExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'createRequire'
  );
}

/** `@scope/name/sub/path` -> `@scope/name`, `name/sub` -> `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Where TypeScript finds the types of a package without its own: `@types/node`, `@types/scope__name`. */
const typesPackageOf = (name: string) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function sourceFiles(dir: string, excluded: Set<string>): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name) && !excluded.has(path))
        files.push(...sourceFiles(path, excluded));
    } else if (SOURCE_FILE.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

interface InstalledManifest {
  bin?: string | Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function installedManifest(root: string, name: string): InstalledManifest {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? readJson<InstalledManifest>(file) : {};
}

/** The binaries a package puts into node_modules/.bin. */
function binariesOf(root: string, name: string): string[] {
  const { bin } = installedManifest(root, name);
  if (typeof bin === 'string') return [name.split('/').pop() ?? name];
  return Object.keys(bin ?? {});
}

/** The peers a package requires (vitest needs vite, serverless-esbuild needs esbuild). */
function requiredPeersOf(root: string, name: string): string[] {
  const { peerDependencies = {}, peerDependenciesMeta = {} } = installedManifest(root, name);
  return Object.keys(peerDependencies).filter((peer) => !peerDependenciesMeta[peer]?.optional);
}

/** The plugins serverless.yml loads (its top-level `plugins:` list). */
function serverlessPlugins(dir: string): string[] {
  const file = join(dir, 'serverless.yml');
  if (!existsSync(file)) return [];
  const block = /^plugins:\n((?:[ \t]+-[^\n]*\n)+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  return [...block.matchAll(/-\s*([^\s#]+)/g)].map((match) => match[1] ?? '');
}

function matchesSubpathImport(specifier: string, imports: Record<string, unknown> = {}): boolean {
  return Object.keys(imports).some((key) =>
    key.endsWith('*') ? specifier.startsWith(key.slice(0, -1)) : specifier === key,
  );
}

const isInside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}${sep}`);

interface Workspace {
  dir: string;
  manifest: Manifest;
}

/** Every problem with the workspaces of the repository at `root`, as sentences; none when all is declared as used. */
export function checkWorkspaces(root: string): string[] {
  const rootManifest = readJson<Manifest>(join(root, 'package.json'));
  const nested = (rootManifest.workspaces ?? []).map((dir) => resolve(root, dir));
  const workspaces: Workspace[] = [root, ...nested].map((dir) => ({
    dir,
    manifest: readJson<Manifest>(join(dir, 'package.json')),
  }));
  const packages = workspaces.filter(({ manifest }) => manifest.exports !== undefined).map(({ dir }) => dir);
  const findings = workspaces.flatMap((workspace) => checkWorkspace(root, workspace, nested, packages));
  return [...findings, ...workspaceCycles(root, workspaces)];
}

function checkWorkspace(root: string, { dir, manifest }: Workspace, nested: string[], packages: string[]): string[] {
  const label = relative(root, dir) || '(root)';
  const shipped = new Set(
    Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }),
  );
  const declared = new Set([...shipped, ...Object.keys(manifest.devDependencies ?? {})]);
  const used = new Set<string>();
  const findings: string[] = [];
  const otherWorkspaces = new Set(nested.filter((other) => other !== dir));
  const withExports = (path: string) => packages.some((packageDir) => isInside(path, packageDir));

  for (const file of sourceFiles(dir, otherWorkspaces)) {
    const where = relative(root, file);
    const isShipped = SHIPPED_FOLDERS.some((folder) => isInside(file, join(dir, folder)));
    for (const { specifier, typeOnly } of moduleUses(file, readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('node:') || BUILTINS.has(specifier)) {
        used.add('@types/node');
      } else if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolve(dirname(file), specifier);
        const sharedConfiguration = SHARED_CONFIGURATION.some((name) => target === join(root, name));
        const workspaceOfTarget =
          [...otherWorkspaces].find((other) => isInside(target, other)) ?? (isInside(target, dir) ? dir : root);
        if (!sharedConfiguration && workspaceOfTarget !== dir && (withExports(dir) || withExports(workspaceOfTarget))) {
          findings.push(
            `${where}: '${specifier}' crosses from ${label} into ${relative(root, workspaceOfTarget) || '(root)'}; ` +
              'import a package by its name, through its "exports".',
          );
        }
      } else if (specifier.startsWith('#')) {
        if (!matchesSubpathImport(specifier, manifest.imports))
          findings.push(`${where}: '${specifier}' matches no "imports" entry of ${label}/package.json.`);
      } else {
        const name = packageNameOf(specifier);
        if (name === manifest.name) continue;
        const types = typesPackageOf(name);
        if (declared.has(name)) used.add(name);
        if (declared.has(types)) used.add(types);
        if (!declared.has(name) && !(typeOnly && declared.has(types))) {
          findings.push(`${where}: '${specifier}' is not declared in ${label}/package.json.`);
        } else if (isShipped && !typeOnly && !shipped.has(name)) {
          findings.push(
            `${where}: '${specifier}' is shipped code's, so ${name} belongs in "dependencies" of ` +
              `${label}/package.json, not "devDependencies".`,
          );
        }
      }
    }
  }

  const scripts = Object.values(manifest.scripts ?? {}).join(' ');
  const plugins = new Set(serverlessPlugins(dir));
  const peers = new Set([...declared].flatMap((name) => requiredPeersOf(root, name)));
  for (const name of declared) {
    if (used.has(name) || plugins.has(name) || peers.has(name) || manifest.usedWithoutImport?.[name]) continue;
    if (binariesOf(root, name).some((bin) => new RegExp(`(^|[\\s;&|(])${bin}(\\s|$)`).test(scripts))) continue;
    findings.push(
      `${label}/package.json declares ${name}, which nothing in ${label} uses: ` +
        'remove it, or say why under "usedWithoutImport".',
    );
  }
  for (const name of Object.keys(manifest.usedWithoutImport ?? {})) {
    if (!declared.has(name))
      findings.push(`${label}/package.json explains ${name} under "usedWithoutImport" but does not declare it.`);
  }
  return findings;
}

/** Workspaces that depend on each other in a circle (a -> b -> a). */
function workspaceCycles(root: string, workspaces: Workspace[]): string[] {
  const byName = new Map(
    workspaces.filter(({ manifest }) => manifest.name).map((workspace) => [workspace.manifest.name ?? '', workspace]),
  );
  const edges = (workspace: Workspace) =>
    Object.keys({ ...workspace.manifest.dependencies, ...workspace.manifest.devDependencies }).filter(
      (name) => byName.has(name) && name !== workspace.manifest.name,
    );
  const findings: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (path.includes(name)) {
      findings.push(
        `Workspaces depend on each other in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}.`,
      );
      return;
    }
    const workspace = byName.get(name);
    if (workspace) for (const next of edges(workspace)) visit(next, [...path, name]);
  };
  for (const name of byName.keys()) visit(name, []);
  return [...new Set(findings)]
    .filter((finding, index, all) => all.findIndex((other) => sameCycle(other, finding)) === index)
    .map((finding) => finding.replace(root, '.'));
}

/** Two reports of one cycle, started at different members. */
function sameCycle(a: string, b: string): boolean {
  const members = (finding: string) =>
    [...new Set(finding.slice(finding.indexOf(':') + 2, -1).split(' -> '))].sort().join(' ');
  return members(a) === members(b);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const findings = checkWorkspaces(resolve(import.meta.dirname, '..'));
  for (const finding of findings) console.log(finding);
  console.log(
    findings.length === 0 ? 'Every workspace declares exactly what it uses.' : `${findings.length} findings.`,
  );
  process.exit(findings.length === 0 ? 0 : 1);
}
