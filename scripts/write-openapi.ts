/** Regenerates docs/openapi.json; test/http/openapi.test.ts fails when the checked-in copy drifts. */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '#shared/http/openapi';

process.env.SERVED_REGIONS ??= 'us-east-1';
writeFileSync('docs/openapi.json', `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log('wrote docs/openapi.json');
