/**
 * The local runtime's pieces loaded with the fixture service (test/fixtures/runtime), in the test
 * worker itself: for tests of the runtime that need no AWS endpoint.
 */
import { resolve } from 'node:path';
import { LocalCloudFormation } from '#runtime/cloudformation';
import { LocalFunctions } from '#runtime/functions';
import { loadService, type LocalService } from '#runtime/service-model';

export { eventually } from '@s3-integrations/aws-endpoint/testing';

export const FIXTURE_SERVERLESS_YML = resolve(import.meta.dirname, '../fixtures/runtime/serverless.yml');
/** Queue URLs point here; nothing listens, the fixture tests use the runtime's hooks directly. */
export const FIXTURE_ENDPOINT = 'http://127.0.0.1:4566';

export interface FixtureRuntime {
  service: LocalService;
  cloudFormation: LocalCloudFormation;
  functions: LocalFunctions;
}

export async function loadFixtureRuntime(): Promise<FixtureRuntime> {
  const service = loadService(FIXTURE_SERVERLESS_YML);
  const cloudFormation = new LocalCloudFormation(service, FIXTURE_ENDPOINT);
  const functions = new LocalFunctions(service);
  await functions.loadAll();
  return { service, cloudFormation, functions };
}
