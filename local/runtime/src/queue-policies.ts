/**
 * The AWS::SQS::QueuePolicy resources of serverless.yml, evaluated for one question: may an AWS
 * service principal (s3.amazonaws.com) send to this queue on behalf of a given source? S3 asks
 * this before it accepts a notification configuration naming the queue, and AWS refuses the
 * configuration when no queue policy allows it, so the local stack does the same: a deployment
 * that forgot the queue policy fails locally as it would in AWS.
 *
 * Statements: `Effect`, `Principal` (`*`, `{"AWS": "*"}` or `{"Service": ...}`), `Action` /
 * `NotAction`, `Resource` / `NotResource`, and `Condition` with the context keys
 * `aws:SourceArn` and `aws:SourceAccount`, through the endpoint's policy language. An explicit
 * Deny wins; without an Allow the answer is no.
 */
import type { PolicyDocument, PolicyStatement } from '@s3-integrations/aws-endpoint/contract';
import { conditionsHold } from '@s3-integrations/aws-endpoint/policy/conditions';
import { statementsOf } from '@s3-integrations/aws-endpoint/policy/document';
import { toConditionContext } from '@s3-integrations/aws-endpoint/policy/evaluate';
import { matchesArn, matchesWildcard } from '@s3-integrations/aws-endpoint/policy/wildcard';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { isMap, type Yaml } from '#runtime/serverless-yaml';

export interface ServiceSendRequest {
  service: string;
  action: string;
  queueArn: string;
  queueUrl: string;
  /** Condition keys, e.g. `aws:SourceArn`. */
  context: Record<string, string>;
}

export function queuePolicyAllows(cloudFormation: LocalCloudFormation, request: ServiceSendRequest): boolean {
  const policies = policiesOf(cloudFormation, request.queueUrl);
  const context = toConditionContext(request.context);
  let allowed = false;
  for (const statement of policies.flatMap((policy) => statementsOf(policy))) {
    const applies =
      principalIsService(statement, request.service) &&
      listMatches(statement.Action, statement.NotAction, (pattern) => matchesWildcard(pattern, request.action, true)) &&
      listMatches(statement.Resource, statement.NotResource, (pattern) => matchesArn(pattern, request.queueArn)) &&
      conditionsHold(statement.Condition, context);
    if (!applies) continue;
    if (statement.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

/** The policy documents of every AWS::SQS::QueuePolicy whose `Queues` name this queue URL. */
function policiesOf(cloudFormation: LocalCloudFormation, queueUrl: string): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  for (const [logicalId, resource] of Object.entries(cloudFormation.service.resources)) {
    if (resource.Type !== 'AWS::SQS::QueuePolicy') continue;
    const queues = cloudFormation.property(logicalId, 'Queues');
    if (!Array.isArray(queues) || !queues.some((url) => typeof url === 'string' && samePath(url, queueUrl))) continue;
    const raw = cloudFormation.property(logicalId, 'PolicyDocument');
    const document = typeof raw === 'string' ? (JSON.parse(raw) as Yaml) : raw;
    if (!isMap(document ?? null) || (document as Record<string, Yaml>).Statement === undefined) {
      throw new Error(`resources.Resources.${logicalId}.Properties.PolicyDocument needs a Statement.`);
    }
    documents.push(document as unknown as PolicyDocument);
  }
  return documents;
}

function principalIsService(statement: PolicyStatement, service: string): boolean {
  const principal = statement.Principal as '*' | Record<string, string | string[]> | undefined;
  if (principal === undefined) return false;
  if (principal === '*') return true;
  const listed = (name: string) => {
    const value = principal[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  return listed('AWS').includes('*') || listed('Service').includes(service);
}

function listMatches(
  list: string | string[] | undefined,
  notList: string | string[] | undefined,
  matches: (pattern: string) => boolean,
): boolean {
  const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  if (list !== undefined) return asList(list).some(matches);
  if (notList !== undefined) return !asList(notList).some(matches);
  return false;
}

/** Queue URLs name the same queue when account and name agree, whatever the host. */
function samePath(a: string, b: string): boolean {
  const path = (url: string) => {
    try {
      return new URL(url).pathname.replace(/\/$/, '');
    } catch {
      return url;
    }
  };
  return path(a) === path(b);
}
