/**
 * Sessions an AWS service gets for a role (how local functions run as their roles): issued only when
 * the role's trust policy allows the service.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PLATFORM,
  allowAll,
  clientConfig,
  createRole,
  startFixture,
  trustAccount,
  trustService,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

const postSession = (body: unknown, contentType = 'application/json') =>
  fetch(`${fixture.endpoint.url}/_local/service-sessions`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });

describe('sessions an AWS service gets for a role (local functions)', () => {
  it('issues a session of a role whose trust policy allows the service, named as asked', async () => {
    const roleArn = await createRole(
      fixture,
      PLATFORM,
      'fn-role',
      trustService('lambda.amazonaws.com'),
      allowAll('s3:GetObject'),
    );
    const session = fixture.endpoint.assumeRoleAsService({
      roleArn,
      servicePrincipal: 'lambda.amazonaws.com',
      sessionName: 'my-function',
      durationSeconds: 900,
    });
    expect(session.arn).toBe(`arn:aws:sts::${PLATFORM}:assumed-role/fn-role/my-function`);
    expect(session.expiration.getTime() - Date.now()).toBeGreaterThan(890_000);
    const identity = await new STSClient(clientConfig(fixture, session)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(session.arn);
  });

  it('refuses a role that trusts accounts only, another service, or does not exist', async () => {
    const accountTrusted = await createRole(fixture, PLATFORM, 'account-trusted', trustAccount(PLATFORM));
    const ecsTrusted = await createRole(fixture, PLATFORM, 'ecs-trusted', trustService('ecs-tasks.amazonaws.com'));
    for (const roleArn of [accountTrusted, ecsTrusted, `arn:aws:iam::${PLATFORM}:role/missing`]) {
      expect(() =>
        fixture.endpoint.assumeRoleAsService({ roleArn, servicePrincipal: 'lambda.amazonaws.com', sessionName: 'fn' }),
      ).toThrow(/lambda.amazonaws.com cannot assume .* trust policy does not allow/);
    }
  });

  it('is offered to loopback test harnesses as POST /_local/service-sessions, JSON only', async () => {
    const roleArn = await createRole(
      fixture,
      PLATFORM,
      'harness-role',
      trustService(),
      allowAll('sts:GetCallerIdentity'),
    );
    const answer = await postSession({ roleArn, servicePrincipal: 'lambda.amazonaws.com', sessionName: 'harness' });
    expect(answer.status).toBe(200);
    const session = (await answer.json()) as { accessKeyId: string; expiration: string; arn: string };
    expect(session.accessKeyId).toMatch(/^ASIA/);
    expect(Date.parse(session.expiration)).toBeGreaterThan(Date.now());
    expect(
      (await postSession({ roleArn, servicePrincipal: 'lambda.amazonaws.com', sessionName: 'harness' }, 'text/plain'))
        .status,
    ).toBe(415);
    const refused = await postSession({ roleArn, servicePrincipal: 'ec2.amazonaws.com', sessionName: 'harness' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'AccessDenied' });
  });
});
