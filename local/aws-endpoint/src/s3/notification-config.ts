/**
 * A bucket's notification configuration (PutBucketNotificationConfiguration), checked as S3
 * checks it: known event types, `prefix`/`suffix` filter rules at most once each, and no two
 * rules that could both match one event (overlapping event types with overlapping prefixes and
 * suffixes). Destinations are checked separately, against the runtime (notifications.ts).
 */
import { randomUUID } from 'node:crypto';
import { S3Error, invalidArgument, malformedXml } from '#endpoint/s3/errors';
import type { XmlValue } from '#endpoint/protocols';
import { childElement, childElements, childText, renderDocument, type XmlElement } from '#endpoint/s3/xml';

export type DestinationKind = 'queue' | 'function' | 'topic';

export interface DestinationRule {
  kind: DestinationKind;
  id: string;
  arn: string;
  /** As configured, e.g. `s3:ObjectCreated:*`. */
  events: string[];
  prefix?: string;
  suffix?: string;
}

export interface NotificationConfiguration {
  eventBridge: boolean;
  rules: DestinationRule[];
}

/** The XML element names of each destination kind, and of the ARN inside it. */
const ELEMENTS: Record<DestinationKind, { configuration: string; arn: string }> = {
  queue: { configuration: 'QueueConfiguration', arn: 'Queue' },
  function: { configuration: 'CloudFunctionConfiguration', arn: 'CloudFunction' },
  topic: { configuration: 'TopicConfiguration', arn: 'Topic' },
};

/** The event types S3 accepts in a configuration (S3 User Guide, "Event notification types and destinations"). */
const EVENT_TYPES = new Set([
  's3:ReducedRedundancyLostObject',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationNotTracked',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
]);

const MAX_FILTER_VALUE_BYTES = 1024;

export function parseNotificationConfiguration(document: XmlElement | undefined): NotificationConfiguration {
  if (!document || document.name !== 'NotificationConfiguration') throw malformedXml();
  const rules: DestinationRule[] = [];
  for (const [kind, names] of Object.entries(ELEMENTS) as Array<
    [DestinationKind, (typeof ELEMENTS)[DestinationKind]]
  >) {
    for (const element of childElements(document, names.configuration)) rules.push(parseRule(kind, element, names.arn));
  }
  rules.forEach((rule, index) => rules.slice(index + 1).forEach((other) => assertNoOverlap(rule, other)));
  return { eventBridge: childElement(document, 'EventBridgeConfiguration') !== undefined, rules };
}

function parseRule(kind: DestinationKind, element: XmlElement, arnElement: string): DestinationRule {
  const arn = childText(element, arnElement)?.trim();
  const events = childElements(element, 'Event').map((event) => event.text.trim());
  if (!arn || events.length === 0) throw malformedXml();
  for (const event of events) {
    if (!EVENT_TYPES.has(event)) throw invalidArgument('The event is not supported for notifications', 'Event', event);
  }
  const rule: DestinationRule = {
    kind,
    id: childText(element, 'Id')?.trim() || generatedId(),
    arn,
    events: [...new Set(events)],
  };
  const filter = childElement(element, 'Filter');
  const s3Key = filter ? childElement(filter, 'S3Key') : undefined;
  for (const filterRule of s3Key ? childElements(s3Key, 'FilterRule') : []) {
    const name = childText(filterRule, 'Name')?.trim().toLowerCase() ?? '';
    const value = childText(filterRule, 'Value') ?? '';
    if (name !== 'prefix' && name !== 'suffix')
      throw invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule.Name', name);
    if (rule[name] !== undefined)
      throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, 'FilterRule.Name', name);
    if (Buffer.byteLength(value) > MAX_FILTER_VALUE_BYTES)
      throw invalidArgument(`The ${name} filter value is too long.`, 'FilterRule.Value', value);
    rule[name] = value;
  }
  return rule;
}

/** S3 names configurations it was given without an id. */
const generatedId = () => Buffer.from(randomUUID()).toString('base64').replace(/=+$/, '');

/**
 * Two rules overlap when one event could match both: their event types overlap and so do their
 * prefixes (one starts the other) and suffixes (one ends the other); no rule means ''.
 */
function assertNoOverlap(a: DestinationRule, b: DestinationRule): void {
  const shared = a.events.filter((event) => b.events.some((other) => eventsOverlap(event, other)));
  if (shared.length === 0) return;
  const prefixesOverlap = overlaps(a.prefix ?? '', b.prefix ?? '', (x, y) => x.startsWith(y));
  const suffixesOverlap = overlaps(a.suffix ?? '', b.suffix ?? '', (x, y) => x.endsWith(y));
  if (!prefixesOverlap || !suffixesOverlap) return;
  if (a.arn === b.arn) {
    throw invalidArgument(
      'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
      'Event',
      `${a.events.join(', ')}, ${b.events.join(', ')}`,
    );
  }
  throw new S3Error(
    'InvalidArgument',
    'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are ' +
      'overlapping for the same event type.',
    400,
  );
}

const overlaps = (x: string, y: string, contains: (longer: string, shorter: string) => boolean) =>
  contains(x, y) || contains(y, x);

/** `s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`; other types only themselves. */
export function eventsOverlap(a: string, b: string): boolean {
  return a === b || covers(a, b) || covers(b, a);
}

function covers(pattern: string, event: string): boolean {
  return pattern.endsWith(':*') && event.startsWith(pattern.slice(0, -1));
}

/** The rules an event of type `eventName` (`ObjectCreated:Put`, without `s3:`) on `key` matches. */
export function matchingRules(
  configuration: NotificationConfiguration,
  eventName: string,
  key: string,
): DestinationRule[] {
  const type = `s3:${eventName}`;
  return configuration.rules.filter(
    (rule) =>
      rule.events.some((event) => event === type || covers(event, type)) &&
      key.startsWith(rule.prefix ?? '') &&
      key.endsWith(rule.suffix ?? ''),
  );
}

export function renderNotificationConfiguration(configuration: NotificationConfiguration | undefined): string {
  const children: Record<string, XmlValue> = {};
  for (const [kind, names] of Object.entries(ELEMENTS) as Array<
    [DestinationKind, (typeof ELEMENTS)[DestinationKind]]
  >) {
    const rules = configuration?.rules.filter((rule) => rule.kind === kind) ?? [];
    children[names.configuration] = rules.map((rule) => ({
      Id: rule.id,
      [names.arn]: rule.arn,
      Event: rule.events,
      Filter: filterXml(rule),
    }));
  }
  children.EventBridgeConfiguration = configuration?.eventBridge ? {} : undefined;
  return renderDocument('NotificationConfiguration', children);
}

function filterXml(rule: DestinationRule): XmlValue {
  const filterRules = (['prefix', 'suffix'] as const)
    .filter((name) => rule[name] !== undefined)
    .map((name) => ({ Name: name, Value: rule[name] }));
  return filterRules.length === 0 ? undefined : { S3Key: { FilterRule: filterRules } };
}
