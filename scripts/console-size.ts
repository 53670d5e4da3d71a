/**
 * `npm run console-size`: builds the console if its sources changed, then prints what a browser
 * downloads (the entry page and the assets, source maps left out), raw and gzipped (level 9, as
 * CDNs and S3 + CloudFront serve it compressed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST, ensureConsoleBuilt } from '@s3-integrations/local-runtime/console-files';

await ensureConsoleBuilt();
const files = [
  'index.html',
  ...readdirSync(join(CONSOLE_DIST, 'assets'))
    .filter((name) => !name.endsWith('.map'))
    .map((name) => `assets/${name}`),
];
let raw = 0;
let gzipped = 0;
for (const file of files) {
  const bytes = readFileSync(join(CONSOLE_DIST, file));
  const compressed = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzipped += compressed;
  console.log(
    `${file.padEnd(32)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KiB   ` +
      `gzip ${(compressed / 1024).toFixed(1).padStart(6)} KiB`,
  );
}
console.log(
  `${'total'.padEnd(32)} ${(raw / 1024).toFixed(1).padStart(7)} KiB   ` +
    `gzip ${(gzipped / 1024).toFixed(1).padStart(6)} KiB`,
);
