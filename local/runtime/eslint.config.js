/** Lint rules of the local runtime: the shared ones (eslint.base.js), and no import of the service's code. */
import { PRODUCT_IMPORTS, baseConfig, refuseImports } from '../../eslint.base.js';

export default [
  ...baseConfig,
  {
    rules: {
      // It is a command-line program (`npm start`): the console is its user interface.
      'no-console': 'off',
      'no-restricted-imports': refuseImports(
        PRODUCT_IMPORTS,
        "The runtime runs the service from serverless.yml and its files; it does not import the service's " +
          'code. Use the endpoint through @s3-integrations/aws-endpoint.',
      ),
    },
  },
];
