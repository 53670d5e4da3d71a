/**
 * Every object of an export is created with `If-None-Match: *`, so a write that meets an object
 * already at its key is refused (412) instead of replacing it or adding a version. That object is
 * then either our own earlier copy (a retry after an answer that never arrived, a duplicated
 * message, an earlier attempt of the same job), which counts as copied when it holds exactly the
 * expected bytes (size and CRC32), or something else, which the export never overwrites: the job
 * fails with DESTINATION_OBJECT_EXISTS, naming the key.
 */
import { nameOf, statusOf } from '#shared/aws/error-kinds';
import { storedProblem, type CopyEnv, type ExpectedObject } from '#shared/exports/worker/copy-env';
import { ExportFailure } from '#shared/exports/worker/export-failure';

export const isPreconditionFailed = (error: unknown) =>
  statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed';

export async function acceptExistingObject(env: CopyEnv, key: string, expected: ExpectedObject): Promise<void> {
  const stored = await env.access.step('HeadObject', env.signal, () => env.writes.stat(key, env.signal));
  const problem = storedProblem(stored, expected);
  if (problem) throw occupiedKey(key, problem);
}

export const occupiedKey = (key: string, problem: string) =>
  new ExportFailure(
    'DESTINATION_OBJECT_EXISTS',
    `The key "${key}" in your bucket already holds a different object (${problem}). ` +
      'Exports never overwrite objects: delete it or export into another directory, then export again.',
  );
