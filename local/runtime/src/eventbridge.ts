/**
 * The local EventBridge behind `PutEvents`: the stack's event buses (its account's `default` bus
 * and every AWS::Events::EventBus resource, with the AWS::Events::EventBusPolicy statements that
 * apply to it) and their rules (every function `eventBridge` event with a pattern, every
 * AWS::Events::Rule resource). A matching event goes to the rule's targets (functions asynchronously
 * with Lambda's retries, queues, state machines). A queue target receives it only if one of its
 * AWS::SQS::QueuePolicy resources lets `events.amazonaws.com` send for that rule (`aws:SourceArn`
 * is the rule's ARN), as AWS requires; otherwise the delivery fails with a log line. An event's
 * `account` is the account that put it, and only events put on one of the stack's buses meet its
 * rules: another account's `default` bus exists (with no rules of ours) but is not the stack's.
 * Rules can also be made at run time (`ruleHooks`: PutRule, PutTargets, ...), as a platform wires
 * a rule to the service's events.
 */
import { randomUUID } from 'node:crypto';
import {
  AwsError,
  type PolicyDocument,
  type PolicyStatement,
  type PutEventsEntry as EndpointEntry,
  type RuleHooks,
} from '@s3-integrations/aws-endpoint/contract';
import type { AsyncInvoker } from '#runtime/async-invoker';
import { ruleBusName as busName, type LocalCloudFormation } from '#runtime/cloudformation';
import { matchesPattern, validatePattern } from '#runtime/event-pattern';
import type { LocalFunctions } from '#runtime/functions';
import { queuePolicyAllows } from '#runtime/queue-policies';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import type { FunctionSpec } from '#runtime/service-model';

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** `id`: the target's Id, for the targets of rules made at run time (PutTargets). */
type Target =
  | { kind: 'function'; fn: FunctionSpec; input: InputShaping; id?: string }
  | { kind: 'queue'; arn: string; input: InputShaping; id?: string }
  | { kind: 'stateMachine'; arn: string; input: InputShaping; id?: string };

/** What the target receives: the event, a constant (`input`) or a part of it (`inputPath`). */
type InputShaping = { constant?: unknown; path?: string[] };

interface Rule {
  name: string;
  /** `aws:SourceArn` of its deliveries to queues. */
  arn: string;
  eventBus: string;
  pattern: Record<string, unknown>;
  targets: Target[];
  /** False for a rule made at run time with State DISABLED. */
  enabled?: boolean;
}

export interface EventBridgeTargets {
  sendToQueue(queueArn: string, body: string): Promise<void>;
  startExecution(stateMachineArn: string, input: string): Promise<unknown>;
}

/** A PutEvents entry; the bus by name (in the sender's account) or ARN, `default` when left out. */
export type PutEventsEntry = Omit<EndpointEntry, 'EventBusName' | 'EventId'> & {
  EventBusName?: string;
  EventId?: string;
};

export class LocalEventBridge {
  readonly rules: Rule[];
  /** The stack's buses by name, with the statements of their resource policies. */
  private readonly buses = new Map<string, PolicyStatement[]>();

  constructor(
    private readonly cloudFormation: LocalCloudFormation,
    private readonly functions: LocalFunctions,
    private readonly invoker: AsyncInvoker,
    private readonly targets: EventBridgeTargets,
  ) {
    this.buses.set('default', []);
    for (const [, bus] of cloudFormation.ofType('AWS::Events::EventBus')) this.buses.set(bus.ref, []);
    this.busPolicies();
    this.rules = [...this.functionRules(), ...this.resourceRules()];
    for (const rule of this.rules) {
      if (!this.buses.has(rule.eventBus))
        throw new Error(
          `Rule ${rule.name} is on event bus ${rule.eventBus}, which this service neither declares nor finds.`,
        );
    }
  }

  /** The bus an ARN names, with its resource policy, or undefined when there is no such bus. */
  eventBus(busArn: string): { policy?: PolicyDocument } | undefined {
    const { service } = this.cloudFormation;
    const bus = parseBusArn(busArn);
    if (!bus) return undefined;
    if (bus.accountId !== service.accountId || bus.region !== service.region)
      return bus.name === 'default' ? {} : undefined;
    const statements = this.buses.get(bus.name);
    if (!statements) return undefined;
    return statements.length > 0 ? { policy: { Version: '2012-10-17', Statement: statements } } : {};
  }

  /**
   * Accepts the events and delivers them in the background, as EventBridge does. `sender` is the
   * account that put them (the endpoint's caller): it becomes each event's `account`.
   */
  async putEvents(
    entries: PutEventsEntry[],
    sender: { accountId: string } = { accountId: this.cloudFormation.service.accountId },
  ): Promise<EventBridgeEvent[]> {
    const { service } = this.cloudFormation;
    const events = entries.map((entry) => {
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        throw new AwsError('MalformedDetail', `Detail of the ${entry.DetailType} event is not valid JSON.`, 400);
      }
      if (!isMap(detail as Yaml))
        throw new AwsError('MalformedDetail', `Detail of the ${entry.DetailType} event must be a JSON object.`, 400);
      const event: EventBridgeEvent = {
        version: '0',
        id: entry.EventId ?? randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: sender.accountId,
        time: entry.Time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: service.region,
        resources: [],
        detail,
      };
      const name = entry.EventBusName ?? 'default';
      const arn = name.startsWith('arn:')
        ? name
        : `arn:aws:events:${service.region}:${sender.accountId}:event-bus/${name}`;
      return { event, bus: parseBusArn(arn) };
    });
    for (const { event, bus } of events) {
      // Only the stack's own buses have rules; an event on any other bus goes nowhere.
      if (bus && bus.accountId === service.accountId && bus.region === service.region) this.route(event, bus.name);
    }
    return events.map(({ event }) => event);
  }

  /**
   * The `rules` hooks of the endpoint: rules made at run time (PutRule and the rest) on a bus of
   * the stack's account; the same matching and delivery as the rules serverless.yml declares.
   */
  ruleHooks(): RuleHooks {
    const { service } = this.cloudFormation;
    const busOf = (busArn: string) => {
      const bus = parseBusArn(busArn);
      if (!bus || bus.accountId !== service.accountId || bus.region !== service.region || !this.buses.has(bus.name)) {
        throw new AwsError('ResourceNotFoundException', `Event bus ${bus?.name ?? busArn} does not exist.`, 400);
      }
      return bus.name;
    };
    const ruleOf = (busArn: string, name: string) => {
      const eventBus = busOf(busArn);
      const rule = this.rules.find((candidate) => candidate.eventBus === eventBus && candidate.name === name);
      if (!rule)
        throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${eventBus}.`, 400);
      return rule;
    };
    return {
      putRule: (busArn, name, pattern, enabled) => {
        const eventBus = busOf(busArn);
        try {
          validatePattern(pattern as Yaml, 'EventPattern');
        } catch (error) {
          throw new AwsError(
            'InvalidEventPatternException',
            `Event pattern is not valid. Reason: ${(error as Error).message}`,
            400,
          );
        }
        const existing = this.rules.find((candidate) => candidate.eventBus === eventBus && candidate.name === name);
        const arn = `arn:aws:events:${service.region}:${service.accountId}:rule/${
          eventBus === 'default' ? '' : `${eventBus}/`
        }${name}`;
        if (existing) Object.assign(existing, { pattern, enabled });
        else this.rules.push({ name, arn, eventBus, pattern, targets: [], enabled });
        return arn;
      },
      putTargets: (busArn, name, targets) => {
        const rule = ruleOf(busArn, name);
        for (const { Id, Arn } of targets) {
          const kind = Arn.split(':')[2];
          const fn = kind === 'lambda' ? this.functions.find(Arn) : undefined;
          const target: Target | undefined =
            kind === 'sqs'
              ? { kind: 'queue', arn: Arn, input: {}, id: Id }
              : kind === 'states'
                ? { kind: 'stateMachine', arn: Arn, input: {}, id: Id }
                : fn
                  ? { kind: 'function', fn, input: {}, id: Id }
                  : undefined;
          if (!target)
            throw new AwsError(
              'ValidationException',
              `Target ${Id}: ${Arn} is not a target the local stack can deliver to (an SQS queue, a function or a ` +
                `state machine of the stack).`,
              400,
            );
          rule.targets = [...rule.targets.filter((existing) => existing.id !== Id), target];
        }
      },
      removeTargets: (busArn, name, ids) => {
        const rule = ruleOf(busArn, name);
        rule.targets = rule.targets.filter((target) => !ids.includes(target.id ?? ''));
      },
      deleteRule: (busArn, name) => {
        const rule = ruleOf(busArn, name);
        if (rule.targets.length > 0)
          throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.", 400);
        this.rules.splice(this.rules.indexOf(rule), 1);
      },
    };
  }

  /** Delivers an event already in EventBridge's envelope (an AWS service event) to the matching rules of `bus`. */
  route(event: EventBridgeEvent, bus: string): void {
    for (const rule of this.rules) {
      if (rule.enabled !== false && rule.eventBus === busName(bus) && matchesPattern(rule.pattern, event))
        this.deliver(rule, event);
    }
  }

  private deliver(rule: Rule, event: EventBridgeEvent): void {
    for (const target of rule.targets) {
      const payload = shapeInput(target.input, event);
      const failed = (error: unknown): void =>
        console.error(
          `[local] rule ${rule.name} could not deliver event ${event.id}: ` +
            `${error instanceof Error ? error.message : String(error)}`,
        );
      if (target.kind === 'function') this.invoker.invoke(target.fn, payload, event.id, `eventBridge ${rule.name}`);
      else if (target.kind === 'queue') {
        // EventBridge sends to a queue as events.amazonaws.com, which the queue's policy must allow
        // for this rule; otherwise the delivery fails (FailedInvocations in AWS), the rule stays.
        if (this.queueAllows(rule, target.arn))
          this.targets.sendToQueue(target.arn, JSON.stringify(payload)).catch(failed);
        else
          failed(
            new Error(
              `the policy of queue ${target.arn} does not let events.amazonaws.com send messages for rule ${rule.arn}`,
            ),
          );
      } else this.targets.startExecution(target.arn, JSON.stringify(payload)).catch(failed);
    }
  }

  private queueAllows(rule: Rule, queueArn: string): boolean {
    const { accountId } = this.cloudFormation.service;
    const queueUrl = this.cloudFormation
      .ofType('AWS::SQS::Queue')
      .find(([, queue]) => queue.attributes.Arn === queueArn)?.[1].ref;
    if (!queueUrl) return true; // not a queue of this stack: the runtime's sendToQueue reports it
    return queuePolicyAllows(this.cloudFormation, {
      service: 'events.amazonaws.com',
      action: 'sqs:SendMessage',
      queueArn,
      queueUrl,
      context: { 'aws:SourceArn': rule.arn, 'aws:SourceAccount': accountId },
    });
  }

  private functionRules(): Rule[] {
    const rules: Rule[] = [];
    for (const fn of this.cloudFormation.service.functions) {
      fn.events.forEach((event, index) => {
        if (!('eventBridge' in event)) return;
        const where = `functions.${fn.key}.events[${index}].eventBridge`;
        const spec = this.cloudFormation.resolve(event.eventBridge ?? null, where);
        if (!isMap(spec)) throw new Error(`${where} must be a mapping.`);
        if (spec.schedule !== undefined) return; // a scheduled rule: schedules.ts runs it
        if (spec.inputTransformer !== undefined) throw new Error(`${where}.inputTransformer is not supported locally.`);
        validatePattern(spec.pattern, `${where}.pattern`);
        const name = `${fn.name}-rule-${index + 1}`;
        const eventBus = busName(String(spec.eventBus ?? 'default'));
        rules.push({
          name,
          arn: this.ruleArn(eventBus, name),
          eventBus,
          pattern: spec.pattern as Record<string, unknown>,
          targets: [{ kind: 'function', fn, input: inputShaping(spec.input, spec.inputPath, where) }],
        });
      });
    }
    return rules;
  }

  private resourceRules(): Rule[] {
    const rules: Rule[] = [];
    for (const [logicalId, resource] of Object.entries(this.cloudFormation.service.resources)) {
      if (resource.Type !== 'AWS::Events::Rule') continue;
      const where = `resources.Resources.${logicalId}.Properties`;
      const raw = resource.Properties ?? {};
      // Only the fields the local bus acts on are evaluated: a target's RoleArn or DLQ is AWS's business.
      const property = (name: string): Yaml | undefined =>
        raw[name] === undefined ? undefined : this.cloudFormation.resolve(raw[name] ?? null, `${where}.${name}`);
      if (raw.EventPattern === undefined) continue; // schedule-only rules are not PutEvents targets
      if (property('State') === 'DISABLED') continue;
      const eventPattern = property('EventPattern');
      const pattern = typeof eventPattern === 'string' ? (JSON.parse(eventPattern) as Yaml) : eventPattern;
      validatePattern(pattern, `${where}.EventPattern`);
      const targets = (Array.isArray(raw.Targets) ? raw.Targets : []).map((target, index) =>
        this.resourceTarget(target, `${where}.Targets[${index}]`),
      );
      const standIn = this.cloudFormation.resources.get(logicalId);
      const arn = standIn?.attributes.Arn ?? this.ruleArn('default', logicalId);
      rules.push({
        name: arn.slice(arn.lastIndexOf('/') + 1),
        arn,
        eventBus: busName(String(property('EventBusName') ?? 'default')),
        pattern: pattern as Record<string, unknown>,
        targets,
      });
    }
    return rules;
  }

  private ruleArn(bus: string, name: string): string {
    const { accountId, region } = this.cloudFormation.service;
    return `arn:aws:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
  }

  /**
   * AWS::Events::EventBusPolicy resources: a `Statement`, or the older Action/Principal/Condition
   * form (which allows `Principal`, an account id or `*`, the `Action` on the bus).
   */
  private busPolicies(): void {
    const { service } = this.cloudFormation;
    for (const [logicalId, resource] of Object.entries(service.resources)) {
      if (resource.Type !== 'AWS::Events::EventBusPolicy') continue;
      const where = `resources.Resources.${logicalId}.Properties`;
      const property = (name: string) => this.cloudFormation.property(logicalId, name);
      const name = busName(String(property('EventBusName') ?? 'default'));
      const statements = this.buses.get(name);
      if (!statements) throw new Error(`${where}.EventBusName: ${name} is not an event bus of this service.`);
      const busArn = `arn:aws:events:${service.region}:${service.accountId}:event-bus/${name}`;
      const statement = property('Statement');
      if (statement !== undefined && statement !== null) {
        for (const one of Array.isArray(statement) ? statement : [statement]) {
          if (!isMap(one)) throw new Error(`${where}.Statement must be a policy statement.`);
          statements.push(one as unknown as PolicyStatement);
        }
        continue;
      }
      const principal = String(property('Principal') ?? '');
      const condition = property('Condition');
      if (!principal) throw new Error(`${where} needs a Statement, or an Action and a Principal.`);
      statements.push({
        Sid: String(property('StatementId') ?? logicalId),
        Effect: 'Allow',
        Principal: principal === '*' ? '*' : { AWS: principal },
        Action: String(property('Action') ?? 'events:PutEvents'),
        Resource: busArn,
        ...(isMap(condition) && condition.Type === 'StringEquals'
          ? { Condition: { StringEquals: { [String(condition.Key)]: String(condition.Value) } } }
          : {}),
      });
    }
  }

  private resourceTarget(target: Yaml, where: string): Target {
    if (!isMap(target) || target.Arn === undefined) throw new Error(`${where} needs an Arn.`);
    if (target.InputTransformer !== undefined) throw new Error(`${where}.InputTransformer is not supported locally.`);
    const arn = String(this.cloudFormation.resolve(target.Arn, `${where}.Arn`));
    const rawInput =
      target.Input === undefined ? undefined : this.cloudFormation.resolve(target.Input, `${where}.Input`);
    const input = inputShaping(
      typeof rawInput === 'string' ? (JSON.parse(rawInput) as Yaml) : rawInput,
      target.InputPath,
      where,
    );
    const service = arn.split(':')[2];
    if (service === 'lambda') {
      const fn = this.functions.find(arn);
      if (!fn) throw new Error(`${where}: ${arn} is not a function of this service.`);
      return { kind: 'function', fn, input };
    }
    if (service === 'sqs') return { kind: 'queue', arn, input };
    if (service === 'states') return { kind: 'stateMachine', arn, input };
    throw new Error(`${where}: targets of type ${String(service)} are not supported locally.`);
  }
}

function inputShaping(input: Yaml | undefined, inputPath: Yaml | undefined, where: string): InputShaping {
  if (input !== undefined && inputPath !== undefined)
    throw new Error(`${where}: input and inputPath exclude each other.`);
  if (input !== undefined) return { constant: input };
  if (inputPath === undefined) return {};
  const path = String(inputPath);
  if (!/^\$(\.[A-Za-z0-9_-]+)*$/.test(path))
    throw new Error(`${where}: only simple input paths like $.detail run locally.`);
  return { path: path.split('.').slice(1) };
}

function shapeInput(shaping: InputShaping, event: EventBridgeEvent): unknown {
  if (shaping.constant !== undefined) return shaping.constant;
  let value: unknown = event;
  for (const key of shaping.path ?? [])
    value = isMap(value as Yaml) ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** `arn:aws:events:<region>:<account>:event-bus/<name>` in its parts. */
function parseBusArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const match = /^arn:aws:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(arn);
  return match ? { region: match[1] ?? '', accountId: match[2] ?? '', name: match[3] ?? '' } : undefined;
}
