/**
 * serverless.yml read for local use: variables, included files and CloudFormation references resolved to
 * local values, and what has no local meaning refused at start.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalCloudFormation } from '#runtime/cloudformation';
import { environmentOf, functionEnvironment } from '#runtime/env';
import { loadService } from '#runtime/service-model';
import { FIXTURE_ENDPOINT, FIXTURE_SERVERLESS_YML } from './support/fixture-runtime';

function serviceFrom(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'serverless-config-'));
  writeFileSync(join(dir, 'serverless.yml'), yaml);
  return join(dir, 'serverless.yml');
}

describe('serverless.yml for local use', () => {
  it('resolves framework variables, file includes and CloudFormation references to local values', () => {
    const service = loadService(FIXTURE_SERVERLESS_YML);
    expect(service.stage).toBe('test');
    expect(service.stackName).toBe('runtime-fixture-test');
    const cloudFormation = new LocalCloudFormation(service, FIXTURE_ENDPOINT);
    const environment = functionEnvironment(cloudFormation, {
      awsUrl: FIXTURE_ENDPOINT,
      dynamodbUrl: 'http://127.0.0.1:8000',
    });
    expect(environment).toMatchObject({
      FIXTURE_TABLE: 'runtime-fixture-test-table',
      FIXTURE_QUEUE_URL: `${FIXTURE_ENDPOINT}/111111111111/WorkQueue`,
      FIXTURE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:fixture-sum',
      FIXTURE_STAGE: 'test',
      FIXTURE_NAME: 'fixture-us-east-1',
      AWS_ENDPOINT_URL: FIXTURE_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      S3_FORCE_PATH_STYLE: 'true',
    });
    // Credentials are each function's own session (function-sessions.ts), never shared.
    expect(environment.AWS_ACCESS_KEY_ID).toBeUndefined();
    const worker = service.functions.find((fn) => fn.key === 'worker');
    expect(
      worker &&
        environmentOf(cloudFormation, worker, { awsUrl: FIXTURE_ENDPOINT, dynamodbUrl: 'http://127.0.0.1:8000' }),
    ).toMatchObject({
      FIXTURE_TABLE: 'runtime-fixture-test-table',
      AWS_ENDPOINT_URL: FIXTURE_ENDPOINT,
    });
    expect(cloudFormation.resources.get('WorkDeadLetterQueue')?.attributes.Arn).toBe(
      'arn:aws:sqs:us-east-1:111111111111:runtime-fixture-test-work-dlq',
    );
    const machine = service.stateMachines[0];
    expect(machine?.logicalId).toBe('SumStateMachine');
    // The included definition keeps its short-form tag as the long form.
    expect(JSON.stringify(machine?.definition)).toContain('{"Fn::GetAtt":["add","Arn"]}');
  });

  it('uses the stage option over the fallback and the default of a parameter', () => {
    const path = serviceFrom(`
service: demo
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  environment:
    ISSUER: \${param:issuer, 'http://issuer'}
    NESTED: \${self:custom.\${sls:stage}.value}
    SUB: !Sub '\${AWS::Region}-\${AWS::AccountId}-\${!Literal}'
custom:
  prod: { value: from-prod }
  dev: { value: from-dev }
functions: {}
`);
    const service = loadService(path, { stage: 'prod' });
    const environment = functionEnvironment(new LocalCloudFormation(service, FIXTURE_ENDPOINT), {
      awsUrl: FIXTURE_ENDPOINT,
      dynamodbUrl: 'http://127.0.0.1:8000',
    });
    expect(environment).toMatchObject({
      ISSUER: 'http://issuer',
      NESTED: 'from-prod',
      SUB: 'us-east-1-111111111111-${Literal}',
    });
  });

  it('merges a list of resource blocks, included files among them, as the framework does', () => {
    const path = serviceFrom(`
service: demo
provider: { name: aws }
functions: {}
resources:
  - Resources:
      Table: { Type: AWS::DynamoDB::Table, Properties: { TableName: demo } }
  - \${file(alarms.yml)}
`);
    writeFileSync(
      join(path, '..', 'alarms.yml'),
      `Conditions:
  HasTopic: !Not [!Equals ['\${param:topic, ""}', '']]
Resources:
  TableAlarm: { Type: AWS::CloudWatch::Alarm, Properties: { AlarmActions: !If [HasTopic, ['x'], !Ref AWS::NoValue] } }
`,
    );
    const service = loadService(path);
    expect(Object.keys(service.resources)).toEqual(['Table', 'TableAlarm']);
    expect(service.conditions).toEqual({ HasTopic: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] } });
  });

  it('fails at start naming a reference that has no local value', () => {
    const path = serviceFrom(`
service: demo
provider:
  name: aws
  environment:
    ROLE: !GetAtt MissingThing.Arn
functions: {}
`);
    const cloudFormation = new LocalCloudFormation(loadService(path), FIXTURE_ENDPOINT);
    expect(() => functionEnvironment(cloudFormation, { awsUrl: FIXTURE_ENDPOINT, dynamodbUrl: 'x' })).toThrow(
      /unknown reference MissingThing/,
    );
  });

  it('fails at start when two functions give one variable different values', () => {
    const dir = serviceFrom('');
    const handlerDir = join(dir, '..');
    writeFileSync(join(handlerDir, 'handler.ts'), 'export const handler = async () => ({});\n');
    writeFileSync(
      dir,
      `
service: demo
provider: { name: aws }
functions:
  one: { handler: handler.handler, environment: { MODE: fast } }
  two: { handler: handler.handler, environment: { MODE: slow } }
`,
    );
    const cloudFormation = new LocalCloudFormation(loadService(dir), FIXTURE_ENDPOINT);
    expect(() => functionEnvironment(cloudFormation, { awsUrl: FIXTURE_ENDPOINT, dynamodbUrl: 'x' })).toThrow(
      /functions.one and functions.two give MODE different values/,
    );
  });

  it('refuses variable sources that have no local meaning', () => {
    const path = serviceFrom(`
service: demo
provider:
  name: aws
  environment:
    SECRET: \${ssm:/platform/secret}
functions: {}
`);
    expect(() => loadService(path)).toThrow(/"ssm:" has no local equivalent/);
  });
});
