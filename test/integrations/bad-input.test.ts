/**
 * Malformed, unauthenticated and cross-tenant requests: every one gets a 4xx that says what is wrong,
 * and none of them changes a single item of either tenant's partition.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { api, mintToken, type ApiAnswer } from '../support/local-stack';
import { platformProject, projectItems, projectUser, type Project } from '../support/platform';

type Case = [name: string, send: () => Promise<ApiAnswer>, status: number, code: string];

const valid = { name: 'Nightly', region: 'us-east-1', bucketName: 'nightly-exports' };
const encoded = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

let mine: Project;
let theirs: Project;
let integration: IntegrationView;
let theirIntegration: IntegrationView;
let before: string;

const snapshot = async () =>
  JSON.stringify(
    [await projectItems(mine.projectId), await projectItems(theirs.projectId)].map((items) =>
      items.map((item) => JSON.stringify(item)).sort(),
    ),
  );

beforeAll(async () => {
  [mine, theirs] = await Promise.all([platformProject(), platformProject()]);
  integration = (await mine.client.post(mine.base, { ...valid, name: 'Existing' })).json as IntegrationView;
  theirIntegration = (await theirs.client.post(theirs.base, { ...valid, name: 'Theirs' })).json as IntegrationView;
  before = await snapshot();
});

const create = (payload: unknown, headers?: Record<string, string>) => mine.client.post(mine.base, payload, headers);
const withField = (field: string, value: unknown) => create({ ...valid, [field]: value });
const one = () => `${mine.base}/${integration.integrationId}`;
const setRole = (payload: unknown) => mine.client.put(`${one()}/role`, payload);
const list = (query: string) => mine.client.get(`${mine.base}${query}`);
const raw = (token: Promise<string>) => api(token).post(mine.base, valid);

/** A token signed with a key the local issuer never used. */
async function forgedToken(): Promise<string> {
  const header = encoded({ alg: 'RS256', typ: 'JWT' });
  const [, payload] = (await mintToken({ sub: 'u', org: mine.orgId, orgRole: 'owner' })).split('.');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey, 'base64url');
  return `${header}.${payload}.${signature}`;
}

const cases: Case[] = [
  // Body shape
  ['body that is not JSON', () => create('{"name": '), 400, 'INVALID_JSON'],
  ['empty body', () => create(''), 400, 'INVALID_JSON'],
  ['JSON array', () => create([]), 400, 'INVALID_REQUEST'],
  ['JSON string', () => create('"text"'), 400, 'INVALID_REQUEST'],
  ['JSON null', () => create('null'), 400, 'INVALID_REQUEST'],
  ['JSON number', () => create('42'), 400, 'INVALID_REQUEST'],
  ['unknown field externalId', () => withField('externalId', 'mine'), 400, 'INVALID_REQUEST'],
  ['unknown field status', () => withField('status', 'ACTIVE'), 400, 'INVALID_REQUEST'],
  ['unknown field roleArn', () => withField('roleArn', 'arn:aws:iam::222222222222:role/r'), 400, 'INVALID_REQUEST'],
  ['unknown field projectId', () => withField('projectId', theirs.projectId), 400, 'INVALID_REQUEST'],
  // name
  ['name missing', () => create({ region: valid.region, bucketName: valid.bucketName }), 400, 'INVALID_REQUEST'],
  ['name a number', () => withField('name', 7), 400, 'INVALID_REQUEST'],
  ['name an object', () => withField('name', { first: 'a' }), 400, 'INVALID_REQUEST'],
  ['name empty', () => withField('name', ''), 400, 'INVALID_REQUEST'],
  ['name of 65 characters', () => withField('name', 'n'.repeat(65)), 400, 'INVALID_REQUEST'],
  ['name with a new line', () => withField('name', 'two\nlines'), 400, 'INVALID_REQUEST'],
  ['name with a NUL', () => withField('name', 'nul\u0000'), 400, 'INVALID_REQUEST'],
  ['name with an escape sequence', () => withField('name', 'red\u001b[31m'), 400, 'INVALID_REQUEST'],
  ['name with a zero-width space', () => withField('name', 'zero\u200bwidth'), 400, 'INVALID_REQUEST'],
  ['name with a bidi override', () => withField('name', 'abc\u202edcba'), 400, 'INVALID_REQUEST'],
  ['name with leading spaces', () => withField('name', '  padded'), 400, 'INVALID_REQUEST'],
  // description
  ['description of 513 characters', () => withField('description', 'd'.repeat(513)), 400, 'INVALID_REQUEST'],
  ['description a number', () => withField('description', 5), 400, 'INVALID_REQUEST'],
  ['description with a bell', () => withField('description', 'ring\u0007'), 400, 'INVALID_REQUEST'],
  // region
  ['region missing', () => create({ name: valid.name, bucketName: valid.bucketName }), 400, 'INVALID_REQUEST'],
  ['region unknown', () => withField('region', 'mars-north-1'), 400, 'INVALID_REQUEST'],
  ['region upper case', () => withField('region', 'US-EAST-1'), 400, 'INVALID_REQUEST'],
  ['region not served', () => withField('region', 'ap-southeast-7'), 400, 'INVALID_REQUEST'],
  ['region eu-west-1, not served here', () => withField('region', 'eu-west-1'), 400, 'INVALID_REQUEST'],
  ['region a number', () => withField('region', 1), 400, 'INVALID_REQUEST'],
  // bucketName
  ['bucket missing', () => create({ name: valid.name, region: valid.region }), 400, 'INVALID_REQUEST'],
  ['bucket too short', () => withField('bucketName', 'ab'), 400, 'INVALID_REQUEST'],
  ['bucket too long', () => withField('bucketName', 'b'.repeat(64)), 400, 'INVALID_REQUEST'],
  ['bucket upper case', () => withField('bucketName', 'Exports'), 400, 'INVALID_REQUEST'],
  ['bucket with underscore', () => withField('bucketName', 'my_exports'), 400, 'INVALID_REQUEST'],
  ['bucket starting with a hyphen', () => withField('bucketName', '-exports'), 400, 'INVALID_REQUEST'],
  ['bucket ending with a dot', () => withField('bucketName', 'exports.'), 400, 'INVALID_REQUEST'],
  ['bucket with adjacent dots', () => withField('bucketName', 'my..exports'), 400, 'INVALID_REQUEST'],
  ['bucket like an IP address', () => withField('bucketName', '10.1.2.3'), 400, 'INVALID_REQUEST'],
  ['bucket with prefix xn--', () => withField('bucketName', 'xn--exports'), 400, 'INVALID_REQUEST'],
  ['bucket with suffix -s3alias', () => withField('bucketName', 'exports-s3alias'), 400, 'INVALID_REQUEST'],
  ['bucket with a slash', () => withField('bucketName', 'exports/../other'), 400, 'INVALID_REQUEST'],
  ['bucket a list', () => withField('bucketName', ['a', 'b']), 400, 'INVALID_REQUEST'],
  // kmsKeyArn
  ['KMS key not an ARN', () => withField('kmsKeyArn', 'my-key'), 400, 'INVALID_REQUEST'],
  [
    'KMS key alias',
    () => withField('kmsKeyArn', 'arn:aws:kms:us-east-1:222222222222:alias/exports'),
    400,
    'INVALID_REQUEST',
  ],
  [
    'KMS key in another region',
    () => withField('kmsKeyArn', 'arn:aws:kms:eu-west-1:222222222222:key/0f8b9c1e-3a4d-4f5e-9a6b-7c8d9e0f1a2b'),
    400,
    'INVALID_REQUEST',
  ],
  // transport
  [
    'content type text/plain',
    () => create(JSON.stringify(valid), { 'content-type': 'text/plain' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'form-encoded body',
    () => create('name=a', { 'content-type': 'application/x-www-form-urlencoded' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'JSON in another charset',
    () => create(JSON.stringify(valid), { 'content-type': 'application/json; charset=latin1' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['oversized body', () => withField('description', 'x'.repeat(20_000)), 413, 'PAYLOAD_TOO_LARGE'],
  // path
  [
    'project id with a space',
    () => mine.client.post('/v1/projects/bad%20id/integrations', valid),
    400,
    'INVALID_REQUEST',
  ],
  [
    'project id of 200 characters',
    () => mine.client.post(`/v1/projects/${'p'.repeat(200)}/integrations`, valid),
    400,
    'INVALID_REQUEST',
  ],
  ['integration id malformed', () => mine.client.get(`${mine.base}/not-an-id`), 400, 'INVALID_REQUEST'],
  [
    'integration id unknown',
    () => mine.client.get(`${mine.base}/integ-aaaaaaaaaaaaaaaaaaaa`),
    404,
    'INTEGRATION_NOT_FOUND',
  ],
  // tokens the authorizer accepts but whose claims this API cannot use
  ['token without the org claim', () => raw(mintToken({ sub: 'u', orgRole: 'owner' })), 401, 'UNAUTHORIZED'],
  [
    'token with an unknown org role',
    () => raw(mintToken({ sub: 'u', org: mine.orgId, orgRole: 'admin' })),
    401,
    'UNAUTHORIZED',
  ],
  [
    'token with malformed project roles',
    () => raw(mintToken({ sub: 'u', org: mine.orgId, orgRole: 'member', projects: { [mine.projectId]: 'root' } })),
    401,
    'UNAUTHORIZED',
  ],
  // other tenants
  ["another tenant's project", () => mine.client.post(theirs.base, valid), 404, 'NOT_FOUND'],
  [
    "another tenant's integration under my project",
    () => mine.client.get(`${mine.base}/${theirIntegration.integrationId}`),
    404,
    'INTEGRATION_NOT_FOUND',
  ],
  [
    "another tenant's integration under theirs",
    () => mine.client.delete(`${theirs.base}/${theirIntegration.integrationId}`),
    404,
    'NOT_FOUND',
  ],
  [
    "another tenant's integration role",
    () =>
      mine.client.put(`${theirs.base}/${theirIntegration.integrationId}/role`, {
        roleArn: 'arn:aws:iam::222222222222:role/r',
      }),
    404,
    'NOT_FOUND',
  ],
  [
    'a project that does not exist',
    () => mine.client.post('/v1/projects/proj-none/integrations', valid),
    404,
    'NOT_FOUND',
  ],
  ['a member creating', () => projectUser(mine, 'member').post(mine.base, valid), 403, 'FORBIDDEN'],
  ['a member deleting', () => projectUser(mine, 'member').delete(one()), 403, 'FORBIDDEN'],
  // role
  ['role body missing roleArn', () => setRole({}), 400, 'INVALID_REQUEST'],
  ['role ARN with a short account', () => setRole({ roleArn: 'arn:aws:iam::1234:role/r' }), 400, 'INVALID_REQUEST'],
  ['role ARN of a user', () => setRole({ roleArn: 'arn:aws:iam::222222222222:user/u' }), 400, 'INVALID_REQUEST'],
  [
    'role ARN with spaces',
    () => setRole({ roleArn: 'arn:aws:iam::222222222222:role/my role' }),
    400,
    'INVALID_REQUEST',
  ],
  ['role ARN a number', () => setRole({ roleArn: 42 }), 400, 'INVALID_REQUEST'],
  [
    'role body with an extra field',
    () => setRole({ roleArn: 'arn:aws:iam::222222222222:role/r', externalId: 'x' }),
    400,
    'INVALID_REQUEST',
  ],
  ['role body not JSON', () => setRole('roleArn=x'), 400, 'INVALID_JSON'],
  // list
  ['limit 0', () => list('?limit=0'), 400, 'INVALID_REQUEST'],
  ['limit 101', () => list('?limit=101'), 400, 'INVALID_REQUEST'],
  ['limit not a number', () => list('?limit=ten'), 400, 'INVALID_REQUEST'],
  ['limit fractional', () => list('?limit=2.5'), 400, 'INVALID_REQUEST'],
  ['unknown query parameter', () => list('?status=ACTIVE'), 400, 'INVALID_REQUEST'],
  ['nextToken garbage', () => list('?nextToken=%%%'), 400, 'INVALID_NEXT_TOKEN'],
  [
    "nextToken into another tenant's partition",
    () => list(`?nextToken=${encoded({ pk: `PROJECT#${theirs.projectId}`, sk: 'INTEGRATION#integ-a' })}`),
    400,
    'INVALID_NEXT_TOKEN',
  ],
  [
    'nextToken into another item type',
    () => list(`?nextToken=${encoded({ pk: `PROJECT#${mine.projectId}`, sk: 'PROJECT' })}`),
    400,
    'INVALID_NEXT_TOKEN',
  ],
];

/** Tokens the JWT authorizer itself refuses: API Gateway answers 401 before any function runs. */
const rejectedTokens: Array<[string, () => Promise<string> | string | undefined]> = [
  ['no token', () => undefined],
  ['a forged signature', forgedToken],
  [
    'alg none',
    async () =>
      `${encoded({ alg: 'none', typ: 'JWT' })}.${
        (await mintToken({ sub: 'u', org: mine.orgId, orgRole: 'owner' })).split('.')[1]
      }.`,
  ],
  [
    'an expired token',
    () => mintToken({ sub: 'u', org: mine.orgId, orgRole: 'owner', exp: Math.floor(Date.now() / 1000) - 60 }),
  ],
  ['a wrong issuer', () => mintToken({ sub: 'u', org: mine.orgId, orgRole: 'owner', iss: 'https://attacker.example' })],
  ['a wrong audience', () => mintToken({ sub: 'u', org: mine.orgId, orgRole: 'owner', aud: 'another-api' })],
  ['a garbled token', () => 'not.a.jwt'],
];

describe('malformed requests', () => {
  it.each(cases)('%s: answers a clear error', async (name, send, status, code) => {
    const answer = await send();
    expect(answer.status, answer.text).toBe(status);
    const error = (
      answer.json as {
        error: { code: string; message: string; details: Array<{ field?: string; issue: string; expected?: string }> };
      }
    ).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(answer.text).not.toMatch(/stack|at .*\.ts|Exception/);
    if (status === 400) {
      // Which field, what is wrong, what a valid value looks like (a body that is no object is the body).
      const [detail] = error.details;
      expect(detail?.field, answer.text).toBeTruthy();
      if (name.startsWith('JSON ') || code === 'INVALID_JSON') expect(detail?.field).toBe('body');
      if (code === 'INVALID_NEXT_TOKEN') expect(detail?.field).toBe('nextToken');
      expect(detail?.issue, answer.text).toBeTruthy();
      expect(detail?.expected, answer.text).toBeTruthy();
      expect(error.message).toContain(`expected ${detail?.expected}`);
    }
  });

  it.each(rejectedTokens)('%s: the authorizer answers 401', async (_name, token) => {
    const answer = await api(token()).post(mine.base, valid);
    expect(answer.status).toBe(401);
  });

  it(`covers at least 60 malformed requests (${cases.length + rejectedTokens.length})`, () => {
    expect(cases.length + rejectedTokens.length).toBeGreaterThanOrEqual(60);
  });

  it('left both tenants\u2019 items exactly as they were', async () => {
    expect(await snapshot()).toBe(before);
  });
});
