/** Lint rules of the service (functions/, shared/) and its tests, benches and scripts; see eslint.base.js. */
import { EMULATOR_IMPORTS, baseConfig, refuseImportGroups, refuseImports } from './eslint.base.js';

const EMULATOR_REFUSAL =
  'Product code may not import the local stack (local/*): it runs against AWS. Tests and benches may.';

/** What a handler may not import from the service: anything under shared/ but use cases and handler builders. */
const HANDLER_REFUSED_IMPORTS = [
  { regex: '^#shared/(?!http/|worker/|[^/]+/use-cases$)' },
  { regex: '^(?:\\.\\./)+shared/' },
];

export default [
  {
    ignores: [
      'node_modules/',
      '.serverless/',
      '.esbuild/',
      '.local/',
      'coverage/',
      'console/dist/',
      'console/.dist-*/',
    ],
  },
  ...baseConfig,
  {
    files: ['shared/**', 'functions/**'],
    rules: {
      // `import { z }` bundles all of zod's locales into every function (+360 KB minified, cold start).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > " +
            "ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'`: esbuild can then tree-shake zod.",
        },
      ],
      // What is deployed never depends on the emulator: it would be bundled into a function, or the
      // service would work locally only because of something AWS does not have.
      'no-restricted-imports': refuseImports(EMULATOR_IMPORTS, EMULATOR_REFUSAL),
    },
  },
  {
    // A handler is a trigger's adapter: it calls its domain's use cases, which authorize first, and
    // never a store or a helper that reads without an access check (an editor's auto-import could
    // pick one). Both restrictions are listed: a later block's rule replaces the earlier one.
    files: ['functions/**'],
    rules: {
      'no-restricted-imports': refuseImportGroups([
        [EMULATOR_IMPORTS, EMULATOR_REFUSAL],
        [
          HANDLER_REFUSED_IMPORTS,
          "Handlers import only their domain's use cases (#shared/<area>/use-cases) " +
            'and the handler builders (#shared/http/*, #shared/worker/*).',
        ],
      ]),
    },
  },
  {
    // The console runs in browsers.
    files: ['console/src/**'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'customElements',
          'sessionStorage',
          'navigator',
          'fetch',
          'performance',
          'confirm',
          'atob',
          'setTimeout',
          'clearTimeout',
          'HTMLElement',
          'HTMLInputElement',
          'HTMLSelectElement',
          'HTMLFormElement',
          'HTMLDialogElement',
          'CustomEvent',
          'Event',
          'Response',
          'URLSearchParams',
          'TextDecoder',
        ].map((name) => [name, 'readonly']),
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
