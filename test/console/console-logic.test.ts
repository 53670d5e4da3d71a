/**
 * The console's wording, checked against what the API really sends: error answers become
 * sentences without API jargon, and each validation failure (built here by the service's own
 * failure functions) gets its fix with the right statement, action and regions.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, withoutApiHints } from '../../console/src/api/errors';
import type { Integration, SetupDocuments, ValidationStage } from '../../console/src/api/types';
import { fixFor } from '../../console/src/setup/fixes';
import { setupDocumentsFor } from '#shared/integrations/setup-documents';
import { bucketRegionMismatch, s3AccessFailure } from '#shared/validation/failures';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  ApiError.fromResponse(new Response(JSON.stringify(body), { status, headers }), body);

describe('API errors in the console', () => {
  it('words the codes a customer meets, and never shows JSON', () => {
    const inUse = answer(409, {
      error: { code: 'INTEGRATION_IN_USE', message: 'The integration is used by (DELETE ...) something', details: [] },
    });
    expect(inUse.message).toMatch(
      /^This integration is in use: an export is running through it, or audit-log forwarding/,
    );
    expect(answer(401, { message: 'Unauthorized' }).message).toBe('Your session has ended. Sign in again to continue.');
    expect(
      answer(429, { error: { code: 'TOO_MANY_REQUESTS', message: 'x', details: [] } }, { 'retry-after': '12' }).message,
    ).toBe('Too many attempts in a short time. Try again in 12 seconds.');
    expect(answer(500, { message: 'Internal Server Error' }).message).toBe(
      'The service had a problem and did not finish this. Nothing was changed; try again in a moment.',
    );
    const unknown = answer(409, {
      error: {
        code: 'SOMETHING_NEW',
        message: 'Set the role of this integration first (PUT .../role); that starts validation.',
        details: [],
      },
    });
    expect(unknown.message).toBe('Set the role of this integration first; that starts validation.');
    for (const error of [inUse, unknown]) expect(error.message).not.toMatch(/[{}]/);
  });

  it('keeps the field issues of a refused request for the form', () => {
    const refused = answer(400, {
      error: {
        code: 'INVALID_REQUEST',
        message: 'The request body is not valid: bucket name must be 3 to 63 characters long.',
        details: [{ field: 'bucketName', issue: 'bucket name must be 3 to 63 characters long' }],
      },
    });
    expect(refused.message).toBe('The request body is not valid: bucket name must be 3 to 63 characters long.');
    expect(refused.fieldIssues).toEqual([
      { field: 'bucketName', issue: 'bucket name must be 3 to 63 characters long' },
    ]);
    expect(withoutApiHints('Validate it again (POST .../validate), then turn forwarding on.')).toBe(
      'Validate it again, then turn forwarding on.',
    );
  });
});

describe('validation fixes in the console', () => {
  const integration = {
    integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
    bucketName: 'acme-exports',
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::222222222222:role/s3-integration',
    externalId: 's3i-x',
  } as Integration;
  const documents = setupDocumentsFor({ ...integration, platformAccountId: '111111111111' }) as SetupDocuments;
  const stageOf = (failure: { stage: string; code: string; message: string }) =>
    ({
      name: failure.stage,
      status: 'FAILED',
      code: failure.code,
      message: failure.message,
      startedAt: '',
    }) as ValidationStage;
  const denied = { name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } };

  it('names the missing action and gives the statement of the integration policy that grants it', () => {
    const failure = s3AccessFailure('PutObject', denied, { ...integration, roleArn: integration.roleArn ?? '' });
    const fix = fixFor(stageOf(failure ?? { stage: '', code: '', message: '' }), integration, documents);
    expect(fix.title).toBe('The role is not allowed s3:PutObject');
    expect(fix.meaning).toContain('on arn:aws:s3:::acme-exports/*');
    expect(fix.copy?.value).toEqual(
      documents.iamPolicy.Statement.find((statement) => statement.Sid === 'ObjectLevelAccess'),
    );

    const list = fixFor(
      stageOf(
        s3AccessFailure('ListObjectsV2', denied, { ...integration, roleArn: integration.roleArn ?? '' }) ?? {
          stage: '',
          code: '',
          message: '',
        },
      ),
      integration,
      documents,
    );
    expect(list.title).toBe('The role is not allowed s3:ListBucket');
    expect(list.copy?.value).toEqual(
      documents.iamPolicy.Statement.find((statement) => statement.Sid === 'BucketLevelAccess'),
    );
  });

  it("reads the bucket's region from a region mismatch and offers an integration there", () => {
    const fix = fixFor(stageOf(bucketRegionMismatch('us-east-1', 'eu-central-1')), integration, documents);
    expect(fix.title).toBe('The bucket is in eu-central-1, not us-east-1');
    expect(fix.bucketRegion).toBe('eu-central-1');
  });
});
