/**
 * `npm run bench`: every bench in this folder, one after the other, each in its own process (each
 * starts its own local stack, so one bench's load never skews another's numbers). Extra arguments
 * go to every bench (e.g. `npm run bench -- --quick`); `BENCH=<name>[,<name>]` picks some.
 *
 * To add a bench, put `bench/<name>.ts` here: a script that prints its results and exits non-zero
 * when it fails.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const chosen = process.env.BENCH?.split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const benches = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .filter((name) => !chosen || chosen.includes(name))
  .sort();

let failed = 0;
for (const name of benches) {
  console.log(`\n== ${name} ==`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, `${name}.ts`), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed += 1;
  console.log(`(${name}: ${run.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
process.exit(failed > 0 ? 1 : 0);
