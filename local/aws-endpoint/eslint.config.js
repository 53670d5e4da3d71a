/** Lint rules of the AWS-compatible endpoint: the shared ones (eslint.base.js), and its place below the runtime. */
import { PRODUCT_IMPORTS, baseConfig, refuseImports } from '../../eslint.base.js';

export default [
  ...baseConfig,
  {
    rules: {
      // It prints what it serves and what fails, as the AWS services it stands in for log.
      'no-console': 'off',
      'no-restricted-imports': refuseImports(
        [...PRODUCT_IMPORTS, { group: ['@s3-integrations/local-runtime', '@s3-integrations/local-runtime/*'] }],
        'The endpoint stands alone: it knows neither the service nor the runtime that uses it (hooks in ' +
          'src/contract.ts carry what the runtime does).',
      ),
    },
  },
];
