/**
 * The local runtime's pieces loaded with the fixture service (test/fixtures/runtime), in the test
 * worker itself: for tests of the runtime that need no AWS endpoint.
 */
import { resolve } from 'node:path';
import { LocalCloudFormation } from '#local/runtime/cloudformation';
import { LocalFunctions } from '#local/runtime/functions';
import { loadService, type LocalService } from '#local/runtime/service-model';

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

/** Polls until the check passes or the time is up; answers the last value. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
