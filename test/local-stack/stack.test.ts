/**
 * The local stack every test file shares (test/support/global-setup.ts): it answers, checks tokens
 * as API Gateway's JWT authorizer does, gives test workers the functions' environment, holds the
 * platform's audit-log bucket, hands out distinct customer accounts and allows only the console's
 * development origin.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';
import { api, clientsFor, localStack, mintToken, uniqueAccountId } from '../support/local-stack';

describe('the local stack the test run shares', () => {
  it('answers GET /v1/health', async () => {
    const answer = await api().get('/v1/health');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
  });

  it('checks tokens on protected routes: 401 without one, through to the function with a minted one', async () => {
    const path = '/v1/projects/proj-unknown/integrations';
    const anonymous = await api().get(path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toEqual({ message: 'Unauthorized' });
    const token = await mintToken({ sub: 'user-1', org: 'org-1', orgRole: 'member', projects: {} });
    const authorized = await api(token).get(path);
    // The function answered (its own error shape), not the authorizer.
    expect(authorized.status).not.toBe(401);
    expect(authorized.json).toHaveProperty('error.code');
  });

  it("gives test workers the functions' environment, so in-process SDK clients reach the local services", async () => {
    const stack = localStack();
    expect(process.env.TABLE_NAME).toBe(stack.environment.TABLE_NAME);
    expect(process.env.AWS_ENDPOINT_URL).toBe(stack.awsUrl);
    // No endpoint or credentials given: the SDK takes them from the environment, as the handlers do.
    const dynamodb = new DynamoDBClient({});
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toContain(process.env.TABLE_NAME);
    dynamodb.destroy();
  });

  it('created the platform audit-log bucket as the platform account', async () => {
    const { s3 } = clientsFor(PLATFORM_ACCOUNT_ID);
    const head = await s3.send(
      new HeadBucketCommand({ Bucket: 'platform-audit-logs', ExpectedBucketOwner: PLATFORM_ACCOUNT_ID }),
    );
    expect(head.BucketRegion).toBe('us-east-1');
  });

  it('hands out distinct customer accounts', () => {
    const ids = new Set(Array.from({ length: 50 }, () => uniqueAccountId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[2-9]\d{11}$/);
  });

  it("allows the console's development origin (serverless.yml provider.httpApi.cors) and no other", async () => {
    const preflight = (origin: string) =>
      fetch(`${localStack().apiUrl}/v1/projects/p/integrations`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight('http://127.0.0.1:5173');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect((await preflight('https://elsewhere.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
