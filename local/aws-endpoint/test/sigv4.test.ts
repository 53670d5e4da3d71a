/**
 * SigV4 verification of every request: correct, wrong-secret, unknown-key, skewed-clock, unsigned and
 * tampered requests, answered in each service's protocol.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOMER,
  PLATFORM,
  REGION,
  clientConfig,
  failure,
  rootCredentials,
  startFixture,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

const sts = (credentials: { accessKeyId: string; secretAccessKey: string }, extra: object = {}) =>
  new STSClient({ ...clientConfig(fixture, credentials), ...extra });

/** A presigned GetCallerIdentity URL (the form Vault and EKS use to prove an identity). */
async function presignedCallerIdentity(
  secretAccessKey: string,
  expiresIn: number,
  signingDate = new Date(),
): Promise<URL> {
  const url = new URL(fixture.endpoint.url);
  const signer = new SignatureV4({
    service: 'sts',
    region: REGION,
    credentials: { accessKeyId: `LOCAL${CUSTOMER}`, secretAccessKey },
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.host },
    },
    { expiresIn, signingDate },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>);
  return new URL(`${fixture.endpoint.url}/?${query.toString()}`);
}

describe('SigV4 verification', () => {
  it('accepts a correctly signed request', async () => {
    const identity = await sts(rootCredentials(PLATFORM)).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(PLATFORM);
  });

  it('answers SignatureDoesNotMatch (Query) or InvalidSignatureException (JSON) for a wrong secret', async () => {
    const wrongSecret = { accessKeyId: `LOCAL${CUSTOMER}`, secretAccessKey: 'not-local' };
    expect(await failure(sts(wrongSecret).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    const kms = new KMSClient(clientConfig(fixture, wrongSecret));
    expect(await failure(kms.send(new CreateKeyCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
  });

  it('answers InvalidClientTokenId (Query) or UnrecognizedClientException (JSON) for an unknown key', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'local' };
    expect(await failure(sts(unknown).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    const kms = new KMSClient(clientConfig(fixture, unknown));
    expect(await failure(kms.send(new CreateKeyCommand({})))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 400,
    });
  });

  it(
    'answers RequestTimeTooSkewed when the signing clock is off by more than 15 minutes, which the SDK then ' +
      'corrects',
    async () => {
      const skewed = sts(rootCredentials(PLATFORM), { systemClockOffset: -20 * 60 * 1000 });
      expect(await failure(skewed.send(new GetCallerIdentityCommand({})))).toMatchObject({
        name: 'RequestTimeTooSkewed',
        status: 403,
      });
      // The SDK adopts the server time from the error answer's Date header for its next request.
      await expect(skewed.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: PLATFORM });
    },
  );

  it('serves no service named after an inherited property (a scope of constructor or toString)', async () => {
    const url = new URL(fixture.endpoint.url);
    for (const service of ['constructor', 'toString']) {
      const signer = new SignatureV4({
        service,
        region: REGION,
        credentials: rootCredentials(PLATFORM),
        sha256: Sha256,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `${service}.Anything`,
        },
        body: '{}',
      });
      const answer = await fetch(`${fixture.endpoint.url}/`, {
        method: 'POST',
        headers: signed.headers,
        body: '{}',
        signal: AbortSignal.timeout(5000),
      });
      expect(answer.status, service).toBe(400);
      expect(await answer.text()).toContain('UnrecognizedService');
    }
  });

  it('refuses an unsigned request with MissingAuthenticationToken', async () => {
    const answer = await fetch(`${fixture.endpoint.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('refuses a signed body that was changed on the way', async () => {
    const url = new URL(fixture.endpoint.url);
    const signer = new SignatureV4({
      service: 'sts',
      region: REGION,
      credentials: rootCredentials(CUSTOMER),
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const send = (body: string) => fetch(`${fixture.endpoint.url}/`, { method: 'POST', headers: signed.headers, body });
    expect((await send('Action=GetCallerIdentity&Version=2011-06-15')).status).toBe(200);
    const tampered = await send('Action=GetCallerIdentity&Version=2011-06-15&X=1');
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('accepts presigned URLs until they expire, and not with a wrong secret', async () => {
    const valid = await fetch(await presignedCallerIdentity('local', 60));
    expect(valid.status).toBe(200);
    expect(await valid.text()).toContain(`<Arn>arn:aws:iam::${CUSTOMER}:root</Arn>`);
    const wrong = await fetch(await presignedCallerIdentity('not-local', 60));
    expect(wrong.status).toBe(403);
    const expired = await fetch(await presignedCallerIdentity('local', 60, new Date(Date.now() - 120_000)));
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('<Code>ExpiredToken</Code>');
  });
});
