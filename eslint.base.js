/**
 * The lint rules every workspace shares: the service (eslint.config.js) and the local stack's
 * packages (local/<package>/eslint.config.js, which ESLint uses for the files under them). Each
 * adds its own rules, above all which of the others it may not import.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export const baseConfig = [
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
];

/** The local stack's packages, as import specifiers (by name, or by a path climbing into local/). */
export const EMULATOR_IMPORTS = [
  {
    group: [
      '@s3-integrations/aws-endpoint',
      '@s3-integrations/aws-endpoint/*',
      '@s3-integrations/local-runtime',
      '@s3-integrations/local-runtime/*',
    ],
  },
  { regex: '^(?:\\.\\./)+local/' },
];

/** The service's own code, as a package of the local stack could reach it (alias, or a path climbing to it). */
export const PRODUCT_IMPORTS = [
  { regex: '^#(?:shared|functions)/' },
  { regex: '^(?:\\.\\./)+(?:shared|functions|console)/' },
];

/** A no-restricted-imports rule that refuses these specifiers with one message. */
export function refuseImports(specifiers, message) {
  return refuseImportGroups([[specifiers, message]]);
}

/** A no-restricted-imports rule with several groups of specifiers, each refused with its own message. */
export function refuseImportGroups(groups) {
  return [
    'error',
    { patterns: groups.flatMap(([specifiers, message]) => specifiers.map((pattern) => ({ ...pattern, message }))) },
  ];
}
