/**
 * CloudFormation intrinsic functions evaluated against local stand-ins for the stack's resources:
 * a table's Ref is its name, a queue's Ref is its URL on the local endpoint, and so on. A reference
 * the local stack cannot honour fails at start with its name, never with a silent placeholder.
 */
import { keyDeclaration, localKeyId } from '#runtime/kms-key-ids';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import {
  functionArn,
  lambdaLogicalId,
  stateMachineArn,
  type CloudFormationResource,
  type LocalService,
} from '#runtime/service-model';

export interface LocalResource {
  type: string;
  /** What `Ref` gives. */
  ref: string;
  /** What `Fn::GetAtt` gives, by attribute name. */
  attributes: Record<string, string>;
}

export interface ResolveContext {
  /** serverless-step-functions lets definitions name functions by their key (`Fn::GetAtt: [hello, Arn]`). */
  allowFunctionKeys?: boolean;
}

export class LocalCloudFormation {
  readonly resources = new Map<string, LocalResource>();

  constructor(
    readonly service: LocalService,
    readonly endpointUrl: string,
  ) {
    for (const [logicalId, resource] of Object.entries(service.resources)) {
      const local = this.localResource(logicalId, resource);
      if (local) this.resources.set(logicalId, local);
    }
    for (const fn of service.functions) {
      this.resources.set(lambdaLogicalId(fn.key), {
        type: 'AWS::Lambda::Function',
        ref: fn.name,
        attributes: { Arn: functionArn(service, fn) },
      });
    }
    for (const machine of service.stateMachines) {
      const arn = stateMachineArn(service, machine);
      this.resources.set(machine.logicalId, {
        type: 'AWS::StepFunctions::StateMachine',
        ref: arn,
        attributes: { Arn: arn, Name: machine.name },
      });
    }
  }

  /** The logical ids of every resource of a type, with their local stand-ins. */
  ofType(type: string): Array<[string, LocalResource]> {
    return [...this.resources].filter(([, resource]) => resource.type === type);
  }

  /**
   * One property of a resource, evaluated. Only the properties the local stack acts on are
   * evaluated, so a reference it has no use for (an alarm, a log group) does not stop the start.
   */
  property(logicalId: string, name: string): Yaml | undefined {
    const value = this.service.resources[logicalId]?.Properties?.[name];
    return value === undefined ? undefined : this.resolve(value, `resources.Resources.${logicalId}.Properties.${name}`);
  }

  /** Deep-evaluates intrinsic functions in a value; `AWS::NoValue` removes the property. */
  resolve(value: Yaml, where: string, context: ResolveContext = {}): Yaml {
    const resolved = this.evaluate(value, where, context);
    return resolved === NO_VALUE ? null : resolved;
  }

  private evaluate(value: Yaml, where: string, context: ResolveContext): Yaml | typeof NO_VALUE {
    if (Array.isArray(value)) {
      return value
        .map((item, index) => this.evaluate(item, `${where}[${index}]`, context))
        .filter((item): item is Yaml => item !== NO_VALUE);
    }
    if (!isMap(value)) return value;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === 'Ref' || (only !== undefined && only.startsWith('Fn::'))) {
      return this.intrinsic(only, value[only] ?? null, where, context);
    }
    const out: Record<string, Yaml> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.evaluate(item, `${where}.${key}`, context);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(name: string, argument: Yaml, where: string, context: ResolveContext): Yaml | typeof NO_VALUE {
    const args = (): Yaml[] => {
      const resolved = this.evaluate(argument, where, context);
      if (!Array.isArray(resolved)) throw new Error(`${where}: ${name} takes a list.`);
      return resolved;
    };
    switch (name) {
      case 'Ref': {
        if (argument === 'AWS::NoValue') return NO_VALUE;
        return this.ref(String(this.evaluate(argument, where, context)), where, context);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        return this.getAtt(logicalId ?? '', attribute ?? '', where, context);
      }
      case 'Fn::Join': {
        const [separator, items] = args();
        if (!Array.isArray(items)) throw new Error(`${where}: Fn::Join needs a list of values.`);
        return items.map(String).join(String(separator));
      }
      case 'Fn::Sub':
        return this.sub(argument, where, context);
      case 'Fn::Select': {
        const [index, items] = args();
        if (!Array.isArray(items) || items[Number(index)] === undefined)
          throw new Error(`${where}: Fn::Select index ${String(index)} is out of range.`);
        return items[Number(index)] ?? null;
      }
      case 'Fn::Split': {
        const [separator, text] = args();
        return String(text).split(String(separator));
      }
      case 'Fn::Base64':
        return Buffer.from(String(this.evaluate(argument, where, context))).toString('base64');
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = Array.isArray(argument) ? argument : [];
        return this.evaluate(
          this.condition(String(condition), where) ? (whenTrue ?? null) : (whenFalse ?? null),
          where,
          context,
        );
      }
      default:
        throw new Error(`${where}: ${name} has no local equivalent.`);
    }
  }

  private ref(name: string, where: string, context: ResolveContext): string {
    switch (name) {
      case 'AWS::AccountId':
        return this.service.accountId;
      case 'AWS::Region':
        return this.service.region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.service.stackName;
      default:
        return this.lookup(name, where, context).ref;
    }
  }

  private getAtt(logicalId: string, attribute: string, where: string, context: ResolveContext): string {
    const resource = this.lookup(logicalId, where, context);
    const value = resource.attributes[attribute];
    if (value === undefined)
      throw new Error(`${where}: Fn::GetAtt ${logicalId}.${attribute} has no local value (${resource.type}).`);
    return value;
  }

  private lookup(logicalId: string, where: string, context: ResolveContext): LocalResource {
    const direct = this.resources.get(logicalId);
    if (direct) return direct;
    const fn = context.allowFunctionKeys
      ? this.service.functions.find((candidate) => candidate.key === logicalId)
      : undefined;
    const viaKey = fn ? this.resources.get(lambdaLogicalId(fn.key)) : undefined;
    if (viaKey) return viaKey;
    const declared = this.service.resources[logicalId];
    throw new Error(
      declared
        ? `${where}: ${logicalId} (${declared.Type}) has no local equivalent.`
        : `${where}: unknown reference ${logicalId}: it is neither a resource nor a function of this service.`,
    );
  }

  private sub(argument: Yaml, where: string, context: ResolveContext): string {
    const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
    const values = isMap(variables) ? (this.evaluate(variables, where, context) as Record<string, Yaml>) : {};
    return String(template).replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in values) return String(values[name]);
      const dot = name.indexOf('.');
      return dot > 0 && !name.startsWith('AWS::')
        ? this.getAtt(name.slice(0, dot), name.slice(dot + 1), where, context)
        : this.ref(name, where, context);
    });
  }

  private condition(name: string, where: string): boolean {
    const definition = this.service.conditions[name];
    if (definition === undefined) throw new Error(`${where}: unknown condition ${name}.`);
    return this.evaluateCondition(definition, `Conditions.${name}`);
  }

  private evaluateCondition(node: Yaml, where: string): boolean {
    if (!isMap(node)) throw new Error(`${where}: a condition must be a condition function.`);
    const [name, argument] = Object.entries(node)[0] ?? [];
    const list = Array.isArray(argument) ? argument : [];
    switch (name) {
      case 'Fn::Equals': {
        const [left, right] = list.map((item) => JSON.stringify(this.resolve(item, where)));
        return left === right;
      }
      case 'Fn::Not':
        return !this.evaluateCondition(list[0] ?? null, where);
      case 'Fn::And':
        return list.every((item) => this.evaluateCondition(item, where));
      case 'Fn::Or':
        return list.some((item) => this.evaluateCondition(item, where));
      case 'Condition':
        return this.condition(String(argument), where);
      default:
        throw new Error(`${where}: ${String(name)} is not a condition function.`);
    }
  }

  private localResource(logicalId: string, resource: CloudFormationResource): LocalResource | undefined {
    const { accountId, region } = this.service;
    // Names may themselves use intrinsics (e.g. !Sub '${AWS::StackName}-jobs'): evaluate them first.
    const nameOf = (property: string): string | undefined => {
      const value = resource.Properties?.[property];
      return value === undefined
        ? undefined
        : String(this.resolve(value, `resources.Resources.${logicalId}.Properties.${property}`));
    };
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = nameOf('TableName') ?? logicalId;
        return {
          type: resource.Type,
          ref: name,
          attributes: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` },
        };
      }
      case 'AWS::SQS::Queue': {
        const fifo = resource.Properties?.FifoQueue === true || resource.Properties?.FifoQueue === 'true';
        const name = nameOf('QueueName') ?? (fifo ? `${logicalId}.fifo` : logicalId);
        const url = `${this.endpointUrl.replace(/\/$/, '')}/${accountId}/${name}`;
        return {
          type: resource.Type,
          ref: url,
          attributes: { Arn: `arn:aws:sqs:${region}:${accountId}:${name}`, QueueName: name, QueueUrl: url },
        };
      }
      case 'AWS::S3::Bucket': {
        const name = nameOf('BucketName') ?? `${this.service.stackName}-${logicalId}`.toLowerCase();
        return { type: resource.Type, ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } };
      }
      case 'AWS::Events::EventBus': {
        const name = nameOf('Name') ?? logicalId;
        return {
          type: resource.Type,
          ref: name,
          attributes: { Arn: `arn:aws:events:${region}:${accountId}:event-bus/${name}`, Name: name },
        };
      }
      case 'AWS::Events::Rule': {
        // CloudFormation names a rule `<stack>-<logicalId>-<random>` when Name is left out; the
        // local name drops the random part. On a custom bus, Ref is `<bus>|<rule>` as in AWS.
        const name = nameOf('Name') ?? `${this.service.stackName}-${logicalId}`;
        const bus = ruleBusName(nameOf('EventBusName'));
        const arn = `arn:aws:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
        return { type: resource.Type, ref: bus === 'default' ? name : `${bus}|${name}`, attributes: { Arn: arn } };
      }
      case 'AWS::KMS::Key': {
        // Made real in the local KMS at start (kms-keys.ts); its id follows from the declaration.
        const keyId = localKeyId(this.service, logicalId, keyDeclaration(nameOf));
        return {
          type: resource.Type,
          ref: keyId,
          attributes: { Arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`, KeyId: keyId },
        };
      }
      case 'AWS::IAM::Role': {
        // Roles only matter locally as the RoleArn of targets and state machines, which nothing checks.
        const name = nameOf('RoleName') ?? logicalId;
        return { type: resource.Type, ref: name, attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}` } };
      }
      default:
        return undefined;
    }
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A rule's bus by name: an ARN and a bare name both name it; none is the default bus. */
export function ruleBusName(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return 'default';
  const marker = nameOrArn.indexOf(':event-bus/');
  return marker >= 0 ? nameOrArn.slice(marker + ':event-bus/'.length) : nameOrArn;
}
