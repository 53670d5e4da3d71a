/**
 * The log secret scanner (secret-scan.ts) that runs over the local stack's output after every test
 * run: it finds each kind of secret planted in a log line, passes what the service really logs, and
 * reports a finding without repeating the secret.
 */
import { describe, expect, it } from 'vitest';
import { describeFindings, findSecrets } from './secret-scan';

/** Log lines as the functions write them (Powertools JSON), with one secret planted in each. */
const PLANTED: [string, string][] = [
  ['AWS access key id', '{"level":"INFO","message":"session","accessKeyId":"ASIAQ3EGUWJ7RZ4KXMPL"}'],
  [
    'AWS access key id',
    'Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request',
  ],
  [
    'local root access key with its secret',
    '{"credentials":{"accessKeyId":"LOCAL222222222222","secretAccessKey":"local"}}',
  ],
  ['secret access key', '{"level":"ERROR","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'],
  ['session token', '{"Credentials":{"SessionToken":"FwoGZXIvYXdzEBYaDHh4eHh4eHh4eHh4"}}'],
  ['session token', '{"message":"retrying","sessionToken":"IQoJb3JpZ2luX2VjEJr"}'],
  ['session token', 'GET /bucket/key?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr&X-Amz-Signature=abc'],
  [
    'external ID',
    '{"level":"WARN","message":"try assume role from[arn:aws:iam::111111111111:root] ' +
      'with externalId[s3i-8vQyq2b0Zl1m4Jk7sXnT3c9PaW6eRuHd] failed"}',
  ],
  ['bearer token', '{"headers":{"authorization":"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"}}'],
  ['JSON web token', '{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl"}'],
];

/** Lines the service really logs: ids, codes, ARNs and the local banner must not count. */
const CLEAN = [
  '{"level":"INFO","message":"request","service":"s3-integrations","requestId":"f1c2",' +
    '"route":"PUT /v1/projects/{projectId}/integrations/{integrationId}/role","status":202}',
  '{"level":"INFO","message":"integration role set","projectId":"proj-1","integrationId":"integ-abcdefghijklmnopqrst"}',
  '{"level":"WARN","message":"export failed","code":"ROLE_ASSUMPTION_FAILED","jobId":"job-5f2"}',
  '{"_aws":{"CloudWatchMetrics":[{"Namespace":"S3Integrations","Metrics":[{"Name":"ExportsFailed"}]}]},' +
    '"ExportsFailed":1}',
  'AWS endpoint      http://127.0.0.1:32995   (STS, IAM, S3 path-style, KMS, EventBridge, Step Functions, SQS)',
  '[local] dead-lettered event 5b1e for startAutoExport after 3 attempts: Error: Malformed Backup Completed event',
  'roleArn arn:aws:iam::222222222222:role/s3-integration-role; the platform is account LOCAL111111111111 in the docs',
];

describe('the log secret scanner', () => {
  it.each(PLANTED)('finds a planted %s', (pattern, line) => {
    const findings = findSecrets(
      ['{"level":"INFO","message":"before"}', line, '{"level":"INFO","message":"after"}'].join('\n'),
    );
    expect(findings.map((finding) => [finding.line, finding.pattern])).toContainEqual([2, pattern]);
  });

  it('passes the lines the service logs', () => {
    expect(findSecrets(CLEAN.join('\n'))).toEqual([]);
  });

  it('finds every secret of a line and of a file, and never repeats one in its report', () => {
    const text = [CLEAN[0], PLANTED[0]?.[1], CLEAN[1], PLANTED[7]?.[1], PLANTED[7]?.[1]].join('\n');
    const findings = findSecrets(text);
    expect(findings.map((finding) => finding.line)).toEqual([2, 4, 5]);
    const report = describeFindings(findings, 'stack.log');
    expect(report).toContain('contains 3 secret(s)');
    expect(report).toContain('line 4 (external ID)');
    expect(report).not.toContain('ASIAQ3EGUWJ7RZ4KXMPL');
    expect(report).not.toContain('s3i-8vQyq2b0Zl1m4Jk7sXnT3c9PaW6eRuHd');
  });

  it('reports a field that carries a secret without its value, whichever pattern found the line', () => {
    const line = '{"SessionToken":"FwoGZXIvYXdzEBYaDHh4eHh4eHh4eHh4","key":"ASIAQ3EGUWJ7RZ4KXMPL"}';
    const report = describeFindings(
      findSecrets(
        `{"accessKeyId":"ASIAQ3EGUWJ7RZ4KXMPL","externalId":"s3i-8vQyq2b0Zl1m4Jk7sXnT3c9PaW6eRuHd"}\n${line}`,
      ),
      'stack.log',
    );
    expect(report).toContain('line 2 (session token): {"SessionToken [value hidden]');
    expect(report).toContain(
      'line 1 (external ID): {"accessKeyId":"ASIAQ3************","externalId":"s3i-8v************"}',
    );
    expect(report).not.toMatch(/FwoGZXIvYXdz|ASIAQ3EGUWJ7RZ4KXMPL|8vQyq2b0Zl1m4Jk7sXnT3c9PaW6eRuHd/);
  });
});
