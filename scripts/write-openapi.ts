import { writeFileSync } from 'node:fs';
import { openApiDocument } from '#shared/http/openapi';

/** Regenerates docs/openapi.json; test/api/openapi.test.ts fails when the checked-in copy drifts. */
process.env.SERVED_REGIONS ??= 'us-east-1';
writeFileSync('docs/openapi.json', `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log('wrote docs/openapi.json');
