/**
 * The functions as Lambda runs them: one esbuild bundle each, built at every start with the
 * options serverless-esbuild deploys them with (`custom.esbuild` of serverless.yml, less the
 * plugin's own keys; `exclude` adds to `external`), plus the worker harness (function-worker.ts).
 * A worker thread then loads plain JavaScript: no TypeScript loader per thread, which is what
 * makes a thread per function affordable, and a bundling problem shows up locally before a deploy.
 *
 * The build also checks what a deploy would only find out at the first invocation: that each
 * handler module exports the function serverless.yml names, so a wrong handler stops the start.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import type { Yaml } from '#runtime/serverless-yaml';
import type { LocalService } from '#runtime/service-model';

export interface FunctionBundles {
  /** The harness every function's worker thread starts with. */
  workerEntry: string;
  /** The bundle of a function's handler module, by function key. */
  bundles: Map<string, string>;
}

/** serverless-esbuild's own settings, which esbuild itself does not take. */
const PLUGIN_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** What a service without serverless-esbuild gets: an ES module for Node 22, CommonJS dependencies allowed. */
const DEFAULTS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
};

const WORKER_HARNESS = resolve(import.meta.dirname, 'function-worker.ts');
const WORKER_KEY = '_worker';

export async function bundleFunctions(service: LocalService, outDir: string): Promise<FunctionBundles> {
  const configured = service.bundling ?? {};
  const options = Object.fromEntries(
    Object.entries(configured).filter(([key]) => !PLUGIN_KEYS.includes(key)),
  ) as BuildOptions;
  const extension = typeof configured.outputFileExtension === 'string' ? configured.outputFileExtension : '.mjs';
  const entryPoints: Record<string, string> = { [WORKER_KEY]: WORKER_HARNESS };
  for (const fn of service.functions) entryPoints[fn.key] = fn.modulePath;

  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    ...DEFAULTS,
    ...options,
    external: [...strings(configured.external), ...strings(configured.exclude).filter((name) => name !== '*')],
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': extension },
    absWorkingDir: service.dir,
    metafile: true,
    logLevel: 'silent',
  }).catch((error: unknown) => {
    throw new Error(`The functions could not be bundled: ${(error as Error).message}`, { cause: error });
  });

  const bundles = new Map<string, string>();
  const outputs = Object.entries(result.metafile.outputs);
  for (const fn of service.functions) {
    const path = join(outDir, `${fn.key}${extension}`);
    const output = outputs.find(([file]) => resolve(service.dir, file) === path)?.[1];
    // Only ES modules list their exports; the deployment's format here is ESM.
    if (result.metafile && (options.format ?? DEFAULTS.format) === 'esm' && !output?.exports.includes(fn.exportName)) {
      throw new Error(`functions.${fn.key}: ${fn.modulePath} does not export a function named "${fn.exportName}".`);
    }
    bundles.set(fn.key, path);
  }
  return { workerEntry: join(outDir, `${WORKER_KEY}${extension}`), bundles };
}

function strings(value: Yaml | undefined): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
