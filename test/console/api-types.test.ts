/**
 * The console's types of the HTTP API (console/src/api/schema.d.ts) are generated from
 * docs/openapi.json by scripts/write-console-api-types.ts: the checked-in file must be exactly what
 * the generator writes, so the console never carries a hand-copied API shape.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSOLE_API_TYPES_FILE, consoleApiTypes } from '../../scripts/write-console-api-types';

describe("the console's API types", () => {
  it(
    'are generated from docs/openapi.json as checked in: ' +
      'run `npx tsx scripts/write-console-api-types.ts` after changing the API',
    async () => {
      expect(readFileSync(CONSOLE_API_TYPES_FILE, 'utf8')).toBe(await consoleApiTypes());
    },
  );
});
