/**
 * Regenerates console/src/api/schema.d.ts, the console's types of the HTTP API, from
 * docs/openapi.json (itself generated from the route table). test/console/api-types.test.ts fails
 * when the checked-in file drifts, so the console never carries a hand-copied API shape.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';

const ROOT = join(import.meta.dirname, '..');
export const CONSOLE_API_TYPES_FILE = join(ROOT, 'console/src/api/schema.d.ts');

export async function consoleApiTypes(): Promise<string> {
  const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
  const banner = '/* Generated from docs/openapi.json by scripts/write-console-api-types.ts: do not edit. */\n';
  return banner + astToString(await openapiTS(document, { alphabetize: false }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CONSOLE_API_TYPES_FILE, await consoleApiTypes());
  console.log(`wrote ${CONSOLE_API_TYPES_FILE}`);
}
