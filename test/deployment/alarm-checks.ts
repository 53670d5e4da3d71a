/**
 * Alarm checks of the packaged template: each dead-letter queue and each failure the service
 * reports is watched, every alarm watches a metric the code really emits, and every alarm notifies
 * the optional SNS topic.
 */
import { deadLetterQueues } from './resource-checks';
import type { Check } from './template-checks';
import { props, resourcesOfType, shortName, type Template } from './template';

type Props = Record<string, unknown>;

export interface WatchedMetric {
  alarm: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** The metrics an alarm watches, whether directly or through metric math. */
export function watchedMetrics(template: Template): WatchedMetric[] {
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm').flatMap(([alarm, resource]) => {
    const p = props(resource);
    const metrics = p.MetricName
      ? [p]
      : ((p.Metrics as Props[] | undefined) ?? []).flatMap((entry) => {
          const metric = (entry.MetricStat as Props | undefined)?.Metric as Props | undefined;
          return metric ? [metric] : [];
        });
    return metrics.map((metric) => ({
      alarm,
      namespace: String(metric.Namespace),
      name: String(metric.MetricName),
      dimensions: Object.fromEntries(
        ((metric.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? []).map((d) => [
          d.Name,
          shortName(d.Value),
        ]),
      ),
    }));
  });
}

/** Each dead-letter queue has an alarm that fires on its first message. */
export const deadLetterAlarms: Check = (template) => {
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => props(alarm));
  return [...deadLetterQueues(template)]
    .filter(
      (queue) =>
        !alarms.some(
          (alarm) =>
            alarm.Namespace === 'AWS/SQS' &&
            alarm.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            shortName((alarm.Dimensions as { Value: unknown }[] | undefined)?.[0]?.Value) === queue &&
            alarm.Threshold === 0 &&
            alarm.ComparisonOperator === 'GreaterThanThreshold',
        ),
    )
    .map((queue) => `dead-letter queue ${queue} has no alarm on its first message`);
};

/** What must be watched, as namespace/metric (the service's failures, not its customers'). */
export const REQUIRED_WATCHES = [
  'S3Integrations/ExportsFailed',
  'S3Integrations/ExportFailuresByCode',
  'S3Integrations/ExportsAbandoned',
  'S3Integrations/PlatformEventsRefused',
  'S3Integrations/AuditLogForwardingLagSeconds',
  'S3Integrations/AuditLogDeliveryLatency',
  'S3Integrations/AuditLogFilesFoundByReconciliation',
  'S3Integrations/AuditLogForwardingScheduleFailures',
  'S3Integrations/ValidationRunsInterrupted',
  'S3Integrations/RecheckStartFailures',
  'S3Integrations/RecheckIncomplete',
  'AWS/States/ExecutionsFailed',
  'AWS/States/ExecutionsTimedOut',
  'AWS/ApiGateway/5xx',
];

export const requiredAlarms: Check = (template) => {
  const watched = new Set(watchedMetrics(template).map((metric) => `${metric.namespace}/${metric.name}`));
  return REQUIRED_WATCHES.filter((metric) => !watched.has(metric)).map((metric) => `no alarm watches ${metric}`);
};

/**
 * The service's own metrics an alarm watches must be emitted by the code (`addMetric('Name'` in
 * shared/ or functions/), with the `service` dimension Powertools adds, and a `code` dimension
 * value must be a code the code uses: an alarm on a misspelt metric would never fire.
 */
export function alarmsOnEmittedMetrics(sources: string): Check {
  return (template) =>
    watchedMetrics(template)
      .filter((metric) => metric.namespace === 'S3Integrations')
      .flatMap((metric) => {
        const problems: string[] = [];
        // Prettier may break a long call after its opening parenthesis.
        if (!new RegExp(`addMetric\\(\\s*'${metric.name}'`).test(sources))
          problems.push(`${metric.alarm} watches ${metric.name}, which the code never emits`);
        if (metric.dimensions.service !== 's3-integrations')
          problems.push(`${metric.alarm} misses the dimension service=s3-integrations`);
        const code = metric.dimensions.code;
        if (code !== undefined && !sources.includes(`'${code}'`))
          problems.push(`${metric.alarm} watches the code ${code}, which the code never reports`);
        return problems;
      });
}

/** Every alarm notifies the SNS topic of the stage parameter alarmTopicArn, when it is set. */
export const alarmActions: Check = (template) => [
  ...(template.Conditions?.HasAlarmTopic ? [] : ['the condition HasAlarmTopic is missing']),
  ...resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .filter(
      ([, alarm]) =>
        ((props(alarm).AlarmActions as Props | undefined)?.['Fn::If'] as unknown[] | undefined)?.[0] !==
        'HasAlarmTopic',
    )
    .map(([id]) => `${id} notifies nobody when alarmTopicArn is set`),
];
