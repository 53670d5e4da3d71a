/**
 * How a refused request reads: the field, what is wrong with it, what a valid value looks like.
 * The schemas are the API's own; no stack is needed (config comes from the test environment).
 */
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '#shared/errors';
import { parseWith } from '#shared/http/request-parsing';
import { exportBody } from '#shared/exports/schemas';
import { createIntegrationBody, listQuery } from '#shared/integrations/schemas';
import { projectPath } from '#shared/projects/schemas';
import { forwardingBody } from '#shared/forwarding/schemas';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  throw new Error('not refused');
};

const valid = { name: 'Nightly', region: 'us-east-1', bucketName: 'nightly-exports' };
const body = (input: unknown) => refusal(() => parseWith(createIntegrationBody, input, 'request body'));

describe('refused requests', () => {
  it('name the field, what is wrong and what a valid value looks like', () => {
    const error = body({ ...valid, name: 'n'.repeat(65) });
    expect(error.details).toEqual([
      {
        field: 'name',
        issue: 'must be at most 64 characters long',
        expected: expect.stringContaining('e.g. "Nightly exports"'),
      },
    ]);
    expect(error.message).toBe(
      `The request body is not valid: name must be at most 64 characters long; expected ${error.details[0]?.expected}.`,
    );
  });

  it('a missing field is required, a wrong type says the type', () => {
    expect(body({ name: 'n', region: 'us-east-1' }).details[0]).toMatchObject({
      field: 'bucketName',
      issue: 'is required',
      expected: expect.stringContaining('e.g. "acme-exports"'),
    });
    expect(body({ ...valid, name: 7 }).details[0]).toMatchObject({ field: 'name', issue: 'must be a string' });
  });

  it('an unserved region lists the served regions', () => {
    const error = body({ ...valid, region: 'eu-west-1' });
    expect(error.details[0]).toMatchObject({
      field: 'region',
      issue: `must be a region the platform serves: ${process.env.SERVED_REGIONS?.split(',').join(', ')}`,
    });
    expect(error.details[0]?.expected).toContain('GET /v1/regions');
  });

  it('an unknown field is named, with the fields the request takes', () => {
    expect(body({ ...valid, externalId: 'mine' }).details).toEqual([
      {
        field: 'externalId',
        issue: 'is not a field of this request',
        expected: 'only name, description, region, bucketName, kmsKeyArn',
      },
    ]);
  });

  it('a body that is not an object says which fields it should have', () => {
    expect(body([]).details[0]).toMatchObject({
      issue: 'must be a JSON object',
      expected: 'a JSON object with the fields name, description, region, bucketName, kmsKeyArn',
    });
  });

  it('query and path parameters too', () => {
    expect(refusal(() => parseWith(listQuery, { limit: '101' }, 'query string')).details[0]).toMatchObject({
      field: 'limit',
      issue: 'must be at most 100',
      expected: expect.stringContaining('1 to 100'),
    });
    expect(refusal(() => parseWith(projectPath, { projectId: 'bad id' }, 'path')).details[0]).toMatchObject({
      field: 'projectId',
      expected: expect.stringContaining('e.g.'),
    });
  });
});

describe('directories as a person types them', () => {
  const integrationId = 'integ-aaaaaaaaaaaaaaaaaaaa';

  it('a trailing "/" is dropped, for exports and forwarding alike', () => {
    expect(parseWith(exportBody, { integrationId, directory: 'exports/' }, 'request body').directory).toBe('exports');
    expect(parseWith(forwardingBody, { integrationId, directory: 'audit/prod/' }, 'request body').directory).toBe(
      'audit/prod',
    );
  });

  it('a leading "/" is still refused, with what a valid directory looks like', () => {
    const error = refusal(() => parseWith(exportBody, { integrationId, directory: '/exports' }, 'request body'));
    expect(error.details[0]).toMatchObject({
      field: 'directory',
      issue: 'must be relative: remove the leading "/"',
      expected: expect.stringContaining('e.g. "exports"'),
    });
  });
});
