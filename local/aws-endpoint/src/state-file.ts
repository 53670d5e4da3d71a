/**
 * Persists the small control-plane state of the local endpoint (IAM roles and policies, KMS
 * keys) as JSON under `<dataDir>/_state/`, so `npm start` keeps them across restarts just as S3
 * keeps its objects. `_state` can never collide with a bucket: bucket names cannot contain `_`.
 * Writes go to a temporary file that is renamed into place, so a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StateFile<T> {
  state: T;
  save(): void;
}

export function openStateFile<T>(dataDir: string, name: string, empty: () => T): StateFile<T> {
  const path = join(dataDir, '_state', `${name}.json`);
  let state: T;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`Cannot read ${path}: delete it to start afresh.`, { cause: error });
    state = empty();
  }
  return {
    state,
    save() {
      mkdirSync(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
      renameSync(temporary, path);
    },
  };
}
