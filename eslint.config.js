/** Lint rules of the service (functions/, shared/) and its tests, benches and scripts; see eslint.base.js. */
import { EMULATOR_IMPORTS, baseConfig, refuseImports } from './eslint.base.js';

export default [
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.local/', 'coverage/', 'console/dist/', 'console/.dist-*/'] },
  ...baseConfig,
  {
    files: ['shared/**', 'functions/**'],
    rules: {
      // `import { z }` bundles all of zod's locales into every function (+360 KB minified, cold start).
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'`: esbuild can then tree-shake zod.",
        },
      ],
      // What is deployed never depends on the emulator: it would be bundled into a function, or the
      // service would work locally only because of something AWS does not have.
      'no-restricted-imports': refuseImports(EMULATOR_IMPORTS, 'Product code may not import the local stack (local/*): it runs against AWS. Tests and benches may.'),
    },
  },
  {
    // The console runs in browsers.
    files: ['console/src/**'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'customElements', 'sessionStorage', 'navigator', 'fetch', 'performance', 'confirm', 'atob', 'setTimeout', 'clearTimeout', 'HTMLElement', 'HTMLInputElement', 'HTMLSelectElement', 'HTMLFormElement', 'HTMLDialogElement', 'CustomEvent', 'Event', 'Response', 'URLSearchParams', 'TextDecoder'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // Serverless Framework plugins are loaded with require().
    files: ['deploy/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['bench/**', 'test/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
];
