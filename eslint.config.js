import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.local/', 'coverage/', 'console/dist/', 'console/.dist-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // `import { z }` bundles all of zod's locales into every function (+360 KB minified, cold start).
    files: ['shared/**', 'functions/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'`: esbuild can then tree-shake zod.",
        },
      ],
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
    files: ['local/**', 'bench/**', 'test/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
