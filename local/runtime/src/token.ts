/**
 * `npm run --silent token -- '<claims json>'` prints a JWT the local HTTP API accepts, and nothing
 * else, so it can go straight into a variable:
 *
 *   TOKEN=$(npm run --silent token -- '{"sub":"u1","org":"o1","orgRole":"owner","projects":{}}')
 *
 * Standard claims left out get the local defaults: `iss` and `aud` from the JWT authorizer in
 * serverless.yml, `iat` now, `exp` in one hour. The token is signed with the key of the data dir
 * `npm start` uses (LOCAL_DATA_DIR, default .local/), created on first use.
 */
import { LocalCloudFormation } from '#runtime/cloudformation';
import { tokenDefaults } from '#runtime/http-api-routes';
import { jwtKeyDir, loadOrCreateSigningKey, signToken } from '#runtime/jwt';
import { DEFAULT_DATA_DIR, DEFAULT_SERVERLESS_YML } from '#runtime/paths';
import { loadService } from '#runtime/service-model';

const USAGE =
  `Usage: npm run --silent token -- ` +
  `'{"sub":"user-1","org":"org-1","orgRole":"owner","projects":{"proj-1":"admin"}}'`;

function parseClaims(text: string | undefined): Record<string, unknown> {
  if (text === undefined) throw new Error(`Give the claims as one JSON object.\n${USAGE}`);
  let claims: unknown;
  try {
    claims = JSON.parse(text);
  } catch {
    throw new Error(`The claims are not valid JSON.\n${USAGE}`);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new Error(`The claims must be a JSON object.\n${USAGE}`);
  return claims as Record<string, unknown>;
}

try {
  const claims = parseClaims(process.argv[2]);
  const service = loadService(
    DEFAULT_SERVERLESS_YML,
    process.env.LOCAL_STAGE ? { stage: process.env.LOCAL_STAGE } : {},
  );
  // The endpoint URL only matters for queue references, which the authorizers never use.
  const defaults = tokenDefaults(new LocalCloudFormation(service, 'http://127.0.0.1:4566'));
  const key = loadOrCreateSigningKey(jwtKeyDir(process.env.LOCAL_DATA_DIR ?? DEFAULT_DATA_DIR, service.stackName));
  const token = await signToken(claims, key, defaults);
  process.stdout.write(`${token}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
