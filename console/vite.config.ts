/**
 * Builds the console into static files (dist/) that any web server or bucket can host: relative
 * asset URLs (`base: './'`), one entry, hashed asset names. The plugin records every source file
 * the build read (dist/.build-inputs.json), so the local stack knows when dist is stale
 * (local/runtime/src/console-files.ts).
 */
import { relative, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const repositoryRoot = resolve(import.meta.dirname, '..');

function recordBuildInputs(): Plugin {
  return {
    name: 'record-build-inputs',
    generateBundle() {
      const inputs = [...this.getModuleIds()]
        .filter((id) => !id.startsWith('\0') && id.startsWith(repositoryRoot))
        .map((id) => relative(repositoryRoot, id.split('?')[0] ?? id));
      this.emitFile({
        type: 'asset',
        fileName: '.build-inputs.json',
        source: JSON.stringify([...new Set(inputs)].sort()),
      });
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [recordBuildInputs()],
  build: { outDir: 'dist', target: 'es2022', sourcemap: true, reportCompressedSize: false },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
});
