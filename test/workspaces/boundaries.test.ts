/**
 * The lint rules that keep the workspaces apart (eslint.base.js): what is deployed never imports
 * the local stack, the runtime never imports the service's code, and the endpoint imports neither;
 * a handler imports only its domain's use cases and the handler builders (eslint.config.js).
 * Each case lints a one-line file at a path where the rule applies (or must not).
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '../..') });

/** The no-restricted-imports messages for `source` as if it were the file at `filePath`. */
async function refusals(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\n`, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('product code (functions/, shared/)', () => {
  it.each([
    ['shared/exports/example.ts', "import { startAwsEndpoint } from '@s3-integrations/aws-endpoint/server';"],
    ['shared/exports/example.ts', "import type { PolicyStatement } from '@s3-integrations/aws-endpoint/contract';"],
    ['functions/get-health/example.ts', "import { signToken } from '@s3-integrations/local-runtime/jwt';"],
    ['shared/example.ts', "import { loadService } from '../local/runtime/src/service-model';"],
  ])('%s may not: %s', async (filePath, source) => {
    expect(await refusals(filePath, source)).toEqual([
      expect.stringContaining('Product code may not import the local stack'),
    ]);
  });

  it('may import its own modules, and tests and benches may import the local stack', async () => {
    expect(await refusals('shared/exports/example.ts', "import { config } from '#shared/config';")).toEqual([]);
    expect(
      await refusals(
        'test/exports/example.test.ts',
        "import { startAwsEndpoint } from '@s3-integrations/aws-endpoint/server';",
      ),
    ).toEqual([]);
    expect(
      await refusals(
        'bench/example.ts',
        "import { startChildStack } from '@s3-integrations/local-runtime/child-stack';",
      ),
    ).toEqual([]);
  });
});

describe('handlers (functions/)', () => {
  it.each([
    [
      'functions/get-integration/handler.ts',
      "import { loadIntegration } from '#shared/integrations/integration-store';",
    ],
    [
      'functions/get-integration/handler.ts',
      "import { getIntegration } from '#shared/integrations/manage-integrations';",
    ],
    ['functions/run-export-job/handler.ts', "import { dynamodb } from '#shared/aws/clients';"],
    ['functions/run-export-job/input.ts', "import { config } from '../../shared/config';"],
  ])('%s may not: %s', async (filePath, source) => {
    expect(await refusals(filePath, source)).toEqual([
      expect.stringContaining("Handlers import only their domain's use cases"),
    ]);
  });

  it('may import use cases and handler builders, and still not the local stack', async () => {
    expect(
      await refusals(
        'functions/get-integration/handler.ts',
        "import { getIntegration } from '#shared/integrations/use-cases';",
      ),
    ).toEqual([]);
    expect(
      await refusals('functions/get-integration/handler.ts', "import { apiHandler } from '#shared/http/api-handler';"),
    ).toEqual([]);
    expect(
      await refusals(
        'functions/run-export-job/handler.ts',
        "import { sqsHandler } from '#shared/worker/worker-handlers';",
      ),
    ).toEqual([]);
    expect(
      await refusals(
        'functions/run-export-job/handler.ts',
        "import { signToken } from '@s3-integrations/local-runtime/jwt';",
      ),
    ).toEqual([expect.stringContaining('Product code may not import the local stack')]);
  });

  it('use cases may read stores (the rule is for handlers only)', async () => {
    expect(
      await refusals(
        'shared/integrations/use-cases.ts',
        "import { loadIntegration } from '#shared/integrations/integration-store';",
      ),
    ).toEqual([]);
  });
});

describe('the local stack', () => {
  it.each([
    ['local/runtime/src/example.ts', "import { config } from '#shared/config';"],
    ['local/runtime/test/example.test.ts', "import { handler } from '../../../functions/get-health/handler';"],
    ['local/aws-endpoint/src/example.ts', "import { dynamodb } from '#shared/aws/dynamodb';"],
    [
      'local/aws-endpoint/src/s3/example.ts',
      "import { loadService } from '@s3-integrations/local-runtime/service-model';",
    ],
  ])('%s may not: %s', async (filePath, source) => {
    expect(await refusals(filePath, source)).toHaveLength(1);
  });

  it('the runtime may use the endpoint by name, and each package its own modules', async () => {
    expect(
      await refusals(
        'local/runtime/src/example.ts',
        "import { startAwsEndpoint } from '@s3-integrations/aws-endpoint/server';",
      ),
    ).toEqual([]);
    expect(
      await refusals(
        'local/runtime/test/example.test.ts',
        "import { fixtureCalls } from './fixtures/runtime/functions/calls';",
      ),
    ).toEqual([]);
    expect(
      await refusals('local/aws-endpoint/src/example.ts', "import { AwsError } from '#endpoint/contract';"),
    ).toEqual([]);
  });
});
