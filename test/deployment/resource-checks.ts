/**
 * Checks of the packaged template's resources: state kept safe, every asynchronous path with
 * retries and a dead letter, logs with retention, alarms on what the code emits, the API behind
 * its JWT authorizer. Each returns the problems it found; an empty list means it passed.
 */
import type { Check } from './template-checks';
import { functionKeyOf, props, resourcesOfType, shortName, type Resource, type Template } from './template';

type Props = Record<string, unknown>;

export const table: Check = (template) =>
  resourcesOfType(template, 'AWS::DynamoDB::Table').flatMap(([id, resource]) => {
    const p = props(resource);
    const problems: string[] = [];
    if ((p.PointInTimeRecoverySpecification as Props | undefined)?.PointInTimeRecoveryEnabled !== true)
      problems.push(`${id} has no point-in-time recovery`);
    if ((p.SSESpecification as Props | undefined)?.SSEEnabled !== true)
      problems.push(`${id} is not encrypted with KMS`);
    const ttl = p.TimeToLiveSpecification as Props | undefined;
    if (ttl?.Enabled !== true || ttl.AttributeName !== 'expiresAt')
      problems.push(`${id} does not expire records by expiresAt (export checkpoints)`);
    if (resource.DeletionPolicy !== 'Retain' || resource.UpdateReplacePolicy !== 'Retain')
      problems.push(`${id} is not retained on stack deletion or replacement`);
    if (p.DeletionProtectionEnabled !== true) problems.push(`${id} has no deletion protection`);
    return problems;
  });

/** Queues that other queues' redrive policies or Lambda's on-failure destinations point at. */
export function deadLetterQueues(template: Template): Set<string> {
  const targets = new Set<string>();
  for (const [, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const redrive = props(queue).RedrivePolicy as Props | undefined;
    if (redrive) targets.add(shortName(redrive.deadLetterTargetArn));
  }
  for (const [, config] of resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')) {
    const onFailure = ((props(config).DestinationConfig as Props | undefined)?.OnFailure as Props | undefined)
      ?.Destination;
    if (onFailure) targets.add(shortName(onFailure));
  }
  return targets;
}

const FOURTEEN_DAYS = 1_209_600;

export const queues: Check = (template) => {
  const deadLetters = deadLetterQueues(template);
  return resourcesOfType(template, 'AWS::SQS::Queue').flatMap(([id, queue]) => {
    const p = props(queue);
    const problems: string[] = [];
    if (p.SqsManagedSseEnabled !== true && p.KmsMasterKeyId === undefined) problems.push(`${id} is not encrypted`);
    if (deadLetters.has(id)) {
      if (p.MessageRetentionPeriod !== FOURTEEN_DAYS)
        problems.push(`dead-letter queue ${id} keeps messages less than 14 days`);
    } else {
      const redrive = p.RedrivePolicy as Props | undefined;
      if (!redrive) problems.push(`${id} has no dead-letter queue`);
      else if (Number(redrive.maxReceiveCount) < 2) problems.push(`${id} dead-letters a message without a retry`);
    }
    return problems;
  });
};

const functionOf = (template: Template, reference: unknown): Resource | undefined =>
  template.Resources[shortName(reference)];

/** SQS consumers report partial batch failures and let a message reappear only after their timeout. */
export const sqsConsumers: Check = (template) =>
  resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(([id, mapping]) => {
    const p = props(mapping);
    const queue = template.Resources[shortName(p.EventSourceArn)];
    const fn = functionOf(template, p.FunctionName);
    const problems: string[] = [];
    if (!(p.FunctionResponseTypes as string[] | undefined)?.includes('ReportBatchItemFailures'))
      problems.push(`${id} fails whole batches`);
    if (!props(queue).RedrivePolicy) problems.push(`${id} reads a queue without a dead-letter queue`);
    if (Number(props(queue).VisibilityTimeout) < Number(props(fn).Timeout))
      problems.push(`${id}: the queue's visibility timeout is shorter than the function's timeout`);
    return problems;
  });

/**
 * Every function an EventBridge rule (pattern or schedule) invokes retries and then dead-letters;
 * a rule that sends to a queue dead-letters what it cannot deliver (the target's DeadLetterConfig).
 */
export const asyncFunctions: Check = (template) => {
  const invokeConfigs = new Map(
    resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').map(([, config]) => [
      shortName(props(config).FunctionName),
      props(config),
    ]),
  );
  const ruleTargets = resourcesOfType(template, 'AWS::Events::Rule').flatMap(
    ([, rule]) => (props(rule).Targets as Props[] | undefined) ?? [],
  );
  const isQueue = (target: Props) => template.Resources[shortName(target.Arn)]?.Type === 'AWS::SQS::Queue';
  const queueProblems = ruleTargets
    .filter(
      (target) =>
        isQueue(target) &&
        template.Resources[shortName((target.DeadLetterConfig as Props | undefined)?.Arn)]?.Type !== 'AWS::SQS::Queue',
    )
    .map(
      (target) =>
        `the rule target ${shortName(target.Arn)} drops the events it cannot take (no DeadLetterConfig queue)`,
    );
  const targets = new Set(ruleTargets.filter((target) => !isQueue(target)).map((target) => shortName(target.Arn)));
  return [
    ...queueProblems,
    ...[...targets].flatMap((fnId) => {
      const config = invokeConfigs.get(fnId);
      const onFailure = ((config?.DestinationConfig as Props | undefined)?.OnFailure as Props | undefined)?.Destination;
      const dlq = (props(template.Resources[fnId]).DeadLetterConfig as Props | undefined)?.TargetArn;
      const problems: string[] = [];
      if (!onFailure && !dlq)
        problems.push(`${functionKeyOf(fnId)} loses events that fail every retry (no on-failure destination or DLQ)`);
      else if (template.Resources[shortName(onFailure ?? dlq)]?.Type !== 'AWS::SQS::Queue')
        problems.push(`${functionKeyOf(fnId)} dead-letters to something that is not a queue of this stack`);
      if (config?.MaximumRetryAttempts === 0) problems.push(`${functionKeyOf(fnId)} never retries`);
      return problems;
    }),
  ];
};

export const logGroups: Check = (template) => {
  const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
  const names = new Set(groups.map(([, group]) => shortName(props(group).LogGroupName)));
  return [
    ...groups.filter(([, group]) => !props(group).RetentionInDays).map(([id]) => `${id} keeps logs forever`),
    ...resourcesOfType(template, 'AWS::Lambda::Function')
      .filter(([, fn]) => !names.has(`/aws/lambda/${String(props(fn).FunctionName)}`))
      .map(([id]) => `${id} has no log group of this stack (its logs would never expire)`),
    ...resourcesOfType(template, 'AWS::StepFunctions::StateMachine')
      .filter(([, machine]) => !(props(machine).LoggingConfiguration as Props | undefined)?.Destinations)
      .map(([id]) => `${id} does not log`),
    ...resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')
      .filter(([, stage]) => !props(stage).AccessLogSettings)
      .map(([id]) => `${id} has no access log`),
  ];
};

export const api: Check = (template) => {
  const authorizers = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer');
  const problems = authorizers.length === 1 ? [] : [`expected one JWT authorizer, found ${authorizers.length}`];
  for (const [id, authorizer] of authorizers) {
    const jwt = props(authorizer).JwtConfiguration as Props | undefined;
    if (props(authorizer).AuthorizerType !== 'JWT' || !jwt?.Issuer || !(jwt.Audience as unknown[] | undefined)?.length)
      problems.push(`${id} is not a JWT authorizer with issuer and audience`);
  }
  for (const [id, stage] of resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')) {
    const settings = props(stage).DefaultRouteSettings as Props | undefined;
    if (!(Number(settings?.ThrottlingRateLimit) > 0) || !(Number(settings?.ThrottlingBurstLimit) > 0))
      problems.push(`${id} does not throttle requests`);
  }
  for (const [id, httpApi] of resourcesOfType(template, 'AWS::ApiGatewayV2::Api')) {
    const cors = props(httpApi).CorsConfiguration as Props | undefined;
    const origins = (cors?.AllowOrigins as unknown[] | undefined) ?? [];
    // One console origin (stage parameter consoleOrigin), never every origin.
    if (origins.length !== 1 || origins.includes('*'))
      problems.push(`${id} must allow exactly the console's origin, not ${JSON.stringify(origins)}`);
    if (!(cors?.AllowHeaders as string[] | undefined)?.map((name) => name.toLowerCase()).includes('authorization'))
      problems.push(`${id} CORS must allow the Authorization header`);
  }
  const publicRoutes = [
    'GET /v1/health',
    'GET /v1/openapi.json',
    'GET /v1/regions',
    'GET /v1/audit-log-digests/public-key',
  ];
  for (const [id, route] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    const key = String(props(route).RouteKey);
    if (!publicRoutes.includes(key) && props(route).AuthorizationType !== 'JWT')
      problems.push(`${id} (${key}) is not behind the JWT authorizer`);
  }
  return problems;
};

/**
 * The schedules the service relies on: forwarding every minute, re-validation daily, the export sweeper every five
 * minutes.
 */
export const schedules: Check = (template) => {
  const scheduled = new Map(
    resourcesOfType(template, 'AWS::Events::Rule')
      .filter(([, rule]) => props(rule).ScheduleExpression)
      .flatMap(([, rule]) =>
        ((props(rule).Targets as Props[] | undefined) ?? []).map(
          (target) => [functionKeyOf(shortName(target.Arn)), props(rule)] as const,
        ),
      ),
  );
  const expected = {
    scheduleAuditLogForwarding: 'rate(1 minute)',
    recheckIntegrations: 'rate(1 day)',
    sweepExportJobs: 'rate(5 minutes)',
  };
  return Object.entries(expected).flatMap(([fn, rate]) => {
    const rule = scheduled.get(fn);
    return rule?.ScheduleExpression === rate && rule.State === 'ENABLED' ? [] : [`${fn} is not scheduled at ${rate}`];
  });
};
