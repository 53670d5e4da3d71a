/**
 * The packaged CloudFormation template (`npm run package`, which npm test runs first) is what a
 * platform team deploys: these tests hold it to least privilege and to failure handling. The
 * second part breaks a copy of the template in each way a check guards against and expects that
 * check to notice, so no check can pass by finding nothing to look at.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '@s3-integrations/local-runtime/paths';
import { alarmActions, alarmsOnEmittedMetrics, deadLetterAlarms, requiredAlarms } from './alarm-checks';
import { api, asyncFunctions, logGroups, queues, schedules, sqsConsumers, table } from './resource-checks';
import { eventRuleAccounts, platformBusPolicy } from './event-bus-checks';
import {
  assumeRole,
  functionPermissions,
  lambdaRuntimes,
  rolesInUse,
  stateMachinePermissions,
  tracing,
  wildcardActions,
  wildcardResources,
  type Check,
} from './template-checks';
import { loadPackagedTemplate, props, type Statement, type Template } from './template';

function sourcesOf(dir: string): string {
  return readdirSync(join(REPOSITORY_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(REPOSITORY_ROOT, dir, file), 'utf8'))
    .join('\n');
}

const emittedMetrics = alarmsOnEmittedMetrics(sourcesOf('shared') + sourcesOf('functions'));

const CHECKS: Record<string, Check> = {
  'every Lambda runs nodejs22.x': lambdaRuntimes,
  'functions and the state machine are traced': tracing,
  'no policy allows a wildcard action': wildcardActions,
  'Resource * only for actions without resource-level permissions': wildcardResources,
  'only the customer-facing functions may call sts:AssumeRole, never on own-account roles': assumeRole,
  "each function's role allows exactly what its code needs": functionPermissions,
  'one role per function, none unused': rolesInUse,
  'the state machine may invoke only its tasks': stateMachinePermissions,
  'the table has PITR, encryption, TTL, retention and deletion protection': table,
  'every queue is encrypted and has a dead-letter queue': queues,
  'SQS consumers report partial failures and outlast their timeout': sqsConsumers,
  'every EventBridge-invoked function retries and dead-letters': asyncFunctions,
  'every log group expires; functions, state machine and API log': logGroups,
  'the API is behind the JWT authorizer and throttled': api,
  'every event rule pattern names its accounts: the producers, or this account': eventRuleAccounts,
  "the service bus admits only the platform's producers": platformBusPolicy,
  'forwarding and re-validation are scheduled': schedules,
  'each dead-letter queue has an alarm': deadLetterAlarms,
  'the service failures are alarmed on': requiredAlarms,
  'alarms watch metrics the code emits': emittedMetrics,
  'alarms notify the optional topic': alarmActions,
};

let template: Template;
beforeAll(() => {
  template = loadPackagedTemplate();
});

describe('the packaged CloudFormation template', () => {
  for (const [name, check] of Object.entries(CHECKS)) {
    it(name, () => expect(check(template)).toEqual([]));
  }
});

/** Adds a statement to the first inline policy of a role. */
function addStatement(copy: Template, roleId: string, statement: Statement) {
  const policies = props(copy.Resources[roleId]).Policies as { PolicyDocument: { Statement: Statement[] } }[];
  policies[0]?.PolicyDocument.Statement.push(statement);
}

/** The pattern of the first rule on the service's bus, or of `ruleId`. */
function patternOf(copy: Template, ruleId?: string): Record<string, unknown> {
  const [, rule] =
    Object.entries(copy.Resources).find(([id, resource]) =>
      ruleId
        ? id === ruleId
        : resource.Type === 'AWS::Events::Rule' &&
          JSON.stringify(props(resource).EventBusName)?.includes('"PlatformEventBus"'),
    ) ?? [];
  return props(rule).EventPattern as Record<string, unknown>;
}

/** The statement of the service bus's policy that admits the producers. */
const producerStatement = (copy: Template) =>
  (props(copy.Resources.PlatformEventBusPolicy).Statement as Record<string, unknown>[])[0] ?? {};

const BREAKS: [string, Check, (copy: Template) => void][] = [
  ['a platform event rule without account', eventRuleAccounts, (t) => void delete patternOf(t).account],
  [
    'a platform event rule for another account',
    eventRuleAccounts,
    (t) => void (patternOf(t).account = ['999999999999']),
  ],
  [
    'the audit-log rule without account',
    eventRuleAccounts,
    (t) => void delete patternOf(t, 'AuditLogEventsRule').account,
  ],
  ['the service bus open to everyone', platformBusPolicy, (t) => void (producerStatement(t).Principal = '*')],
  [
    'the service bus open to an account that is no producer',
    platformBusPolicy,
    (t) => void (producerStatement(t).Principal = { AWS: ['111111111111', 'arn:aws:iam::999999999999:root'] }),
  ],
  [
    'platformEventPrincipals naming a role of an account that is no producer',
    platformBusPolicy,
    (t) => {
      t.Conditions = { ...t.Conditions, HasPlatformEventPrincipals: { 'Fn::Not': [{ 'Fn::Equals': ['x', ''] }] } };
      const chosen = (producerStatement(t).Principal as { AWS: { 'Fn::If': unknown[] } }).AWS['Fn::If'];
      chosen[1] = { 'Fn::Split': [',', 'arn:aws:iam::111111111111:role/producer,arn:aws:iam::999999999999:role/x'] };
    },
  ],
  ['producers allowed more than PutEvents', platformBusPolicy, (t) => void (producerStatement(t).Action = 'events:*')],
  ['the service bus without policy', platformBusPolicy, (t) => void delete t.Resources.PlatformEventBusPolicy],
  [
    'a function on nodejs20.x',
    lambdaRuntimes,
    (t) => void (props(t.Resources.GetHealthLambdaFunction).Runtime = 'nodejs20.x'),
  ],
  ['tracing off', tracing, (t) => void delete props(t.Resources.GetIntegrationLambdaFunction).TracingConfig],
  [
    'a service wildcard',
    wildcardActions,
    (t) =>
      addStatement(t, 'GetIntegrationIamRoleLambdaExecution', { Effect: 'Allow', Action: 'dynamodb:*', Resource: 'x' }),
  ],
  [
    'a global wildcard',
    wildcardActions,
    (t) => addStatement(t, 'GetIntegrationIamRoleLambdaExecution', { Effect: 'Allow', Action: ['*'], Resource: 'x' }),
  ],
  [
    'a prefix wildcard',
    wildcardActions,
    (t) =>
      addStatement(t, 'GetIntegrationIamRoleLambdaExecution', { Effect: 'Allow', Action: 's3:Get*', Resource: 'x' }),
  ],
  [
    'Resource * on S3',
    wildcardResources,
    (t) =>
      addStatement(t, 'GetIntegrationIamRoleLambdaExecution', {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
      }),
  ],
  [
    'AssumeRole for an API function',
    assumeRole,
    (t) =>
      addStatement(t, 'GetIntegrationIamRoleLambdaExecution', {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::*:role/*',
      }),
  ],
  [
    'AssumeRole without the own-account deny',
    assumeRole,
    (t) => {
      const statements = (
        props(t.Resources.RunExportJobIamRoleLambdaExecution).Policies as {
          PolicyDocument: { Statement: Statement[] };
        }[]
      )[0]?.PolicyDocument;
      if (statements) statements.Statement = statements.Statement.filter((statement) => statement.Effect !== 'Deny');
    },
  ],
  [
    'one action more than the code needs',
    functionPermissions,
    (t) =>
      addStatement(t, 'GetIntegrationIamRoleLambdaExecution', {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: { 'Fn::GetAtt': ['IntegrationsTable', 'Arn'] },
      }),
  ],
  [
    'the same action on a broader resource',
    functionPermissions,
    (t) =>
      addStatement(t, 'RecheckIntegrationsIamRoleLambdaExecution', {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': ['IntegrationsTable', 'Arn'] },
      }),
  ],
  [
    'a permission the code needs removed',
    functionPermissions,
    (t) =>
      void ((
        props(t.Resources.CreateIntegrationIamRoleLambdaExecution).Policies as {
          PolicyDocument: { Statement: Statement[] };
        }[]
      )[0]!.PolicyDocument.Statement.length = 2),
  ],
  [
    'a new function without a permission list',
    functionPermissions,
    (t) => void (t.Resources.ExtraLambdaFunction = t.Resources.GetHealthLambdaFunction!),
  ],
  [
    'two functions sharing a role',
    rolesInUse,
    (t) =>
      void (props(t.Resources.GetHealthLambdaFunction).Role = {
        'Fn::GetAtt': ['GetOpenApiIamRoleLambdaExecution', 'Arn'],
      }),
  ],
  [
    'the state machine invoking another function',
    stateMachinePermissions,
    (t) =>
      addStatement(t, 'ValidationStateMachineRole', {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': ['RunExportJobLambdaFunction', 'Arn'] },
      }),
  ],
  [
    'the table without PITR',
    table,
    (t) => void delete props(t.Resources.IntegrationsTable).PointInTimeRecoverySpecification,
  ],
  ['the table without SSE', table, (t) => void delete props(t.Resources.IntegrationsTable).SSESpecification],
  ['the table deleted with the stack', table, (t) => void delete t.Resources.IntegrationsTable!.DeletionPolicy],
  ['a queue without a dead-letter queue', queues, (t) => void delete props(t.Resources.ExportQueue).RedrivePolicy],
  ['an unencrypted queue', queues, (t) => void delete props(t.Resources.ForwardingQueue).SqsManagedSseEnabled],
  [
    'a consumer failing whole batches',
    sqsConsumers,
    (t) => void delete props(t.Resources.RunExportJobEventSourceMappingSQSExportQueue).FunctionResponseTypes,
  ],
  [
    'an EventBridge-invoked function without a dead letter',
    asyncFunctions,
    (t) => void delete t.Resources.StartAutoExportLambdaEvConf,
  ],
  [
    'a rule sending to a queue without a dead letter',
    asyncFunctions,
    (t) =>
      void delete ((props(t.Resources.AuditLogEventsRule).Targets as Record<string, unknown>[])[0] ?? {})
        .DeadLetterConfig,
  ],
  ['no alarm on the delivery latency', requiredAlarms, (t) => void delete t.Resources.ForwardingLatencyAlarm],
  [
    'a log group without retention',
    logGroups,
    (t) => void delete props(t.Resources.RunExportJobLogGroup).RetentionInDays,
  ],
  [
    'a state machine without logs',
    logGroups,
    (t) => void delete props(t.Resources.ValidationStateMachine).LoggingConfiguration,
  ],
  ['a stage without throttling', api, (t) => void delete props(t.Resources.HttpApiStage).DefaultRouteSettings],
  [
    'a route without the authorizer',
    api,
    (t) => void delete props(t.Resources.HttpApiRouteGetV1ProjectsProjectidVarJobs).AuthorizationType,
  ],
  ['re-validation not scheduled', schedules, (t) => void delete t.Resources.RecheckIntegrationsEventsRuleSchedule1],
  ['a dead-letter queue without an alarm', deadLetterAlarms, (t) => void delete t.Resources.ExportDeadLetterQueueAlarm],
  ['no alarm on failed exports', requiredAlarms, (t) => void delete t.Resources.ExportsFailedAlarm],
  [
    'an alarm on a metric nobody emits',
    emittedMetrics,
    (t) => void (props(t.Resources.ForwardingLagAlarm).MetricName = 'AuditLogLag'),
  ],
  ['an alarm that notifies nobody', alarmActions, (t) => void delete props(t.Resources.Api5xxAlarm).AlarmActions],
];

describe('each template check notices what it guards against', () => {
  for (const [what, check, breakIt] of BREAKS) {
    it(what, () => {
      const copy = structuredClone(template);
      breakIt(copy);
      expect(check(copy)).not.toEqual([]);
    });
  }
});
