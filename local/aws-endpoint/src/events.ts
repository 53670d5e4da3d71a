/**
 * EventBridge `PutEvents` over JSON 1.1 (`X-Amz-Target: AWSEvents.PutEvents`).
 *
 * Each entry names its bus (`EventBusName`: a name in the caller's account, or an ARN; `default`
 * when left out). Who may put events there, as AWS decides it:
 * - on a bus of the caller's own account: its identity policies, or the bus's resource policy;
 * - on a bus of another account: its identity policies AND the bus's resource policy (a bus that
 *   does not exist has none, so the answer is the same);
 * - an explicit Deny in the bus policy wins in both cases.
 * One refused entry fails the whole request with AccessDeniedException (400). The condition keys
 * `aws:PrincipalAccount`, `aws:PrincipalArn`, `events:source` and `events:detail-type` are set.
 * Valid entries go to the local runtime through `hooks.putEvents` with the caller's account (the
 * events' `account`); invalid ones are reported per entry, as EventBridge does. Events put on a
 * bus of the caller's account that does not exist are accepted and go nowhere, as in AWS. Sources
 * beginning with `aws.` belong to AWS services: an entry naming one fails with
 * NotAuthorizedForSourceException, so nobody can forge an S3 notification.
 *
 * Rules made at run time (`hooks.rules`): PutRule (EventPattern, State), PutTargets (SQS queue,
 * Lambda function or state machine ARNs), RemoveTargets and DeleteRule, on the buses of the
 * stack's account, e.g. a test rule that sends the service's own events to a queue the test reads
 * (a platform wires its notifications the same way). The caller needs `events:<Action>` on the
 * rule's ARN, `arn:aws:events:<region>:<account>:rule/<bus>/<name>` (`rule/<name>` on `default`).
 * Not modelled: input transformers, schedules.
 */
import { randomUUID } from 'node:crypto';
import {
  AwsError,
  type Caller,
  type PlatformHooks,
  type PutEventsEntry,
  type ServiceHandler,
  type SignedRequest,
} from '#endpoint/contract';
import { notAuthorized, type Authorizer } from '#endpoint/policy/authorize';
import { evaluateResourcePolicy } from '#endpoint/policy/evaluate';
import { accountOfArn } from '#endpoint/policy/wildcard';
import { jsonOperation, optionalString, parseJsonBody, requiredString, sendJsonResult } from '#endpoint/protocols';

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export function createEventsService(deps: { authorizer: Authorizer; hooks: PlatformHooks }): ServiceHandler {
  const mayPut = (caller: Caller, busArn: string, entry: Record<string, unknown>): void => {
    const request = {
      action: 'events:PutEvents',
      resource: busArn,
      context: {
        'aws:PrincipalAccount': caller.accountId,
        'aws:PrincipalArn': caller.roleArn ?? caller.arn,
        ...(typeof entry.Source === 'string' ? { 'events:source': entry.Source } : {}),
        ...(typeof entry.DetailType === 'string' ? { 'events:detail-type': entry.DetailType } : {}),
      },
    };
    const policy = deps.hooks.eventBus(busArn)?.policy;
    const byPolicy = policy ? evaluateResourcePolicy(policy, caller, request) : 'ImplicitDeny';
    if (byPolicy === 'ExplicitDeny')
      throw notAuthorized(caller, request, 'with an explicit deny in a resource-based policy');
    const identity = deps.authorizer.identityDecision(caller, request);
    if (identity.decision === 'ExplicitDeny') throw notAuthorized(caller, request, identity.reason);
    const ownBus = accountOfArn(busArn) === caller.accountId;
    if (ownBus && (identity.decision === 'Allow' || byPolicy === 'Allow')) return;
    if (!ownBus && identity.decision === 'Allow' && byPolicy === 'Allow') return;
    throw notAuthorized(
      caller,
      request,
      ownBus ? identity.reason : 'because no resource-based policy allows the events:PutEvents action',
    );
  };

  return async (request, response) => {
    const operation = jsonOperation(request.raw.headers['x-amz-target'], 'AWSEvents');
    if (RULE_OPERATIONS.includes(operation)) return ruleOperation(deps, request, operation, response);
    if (operation !== 'PutEvents') {
      throw new AwsError('UnknownOperationException', `${operation} is not supported by the local endpoint.`, 400);
    }
    const input = parseJsonBody(await request.readBody());
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} events.`, 400);
    }
    const { caller, region } = request;
    const busArn = (entry: unknown) => {
      const name = (entry as Record<string, unknown> | null)?.EventBusName;
      if (typeof name === 'string' && name.startsWith('arn:')) return name;
      return `arn:aws:events:${region}:${caller.accountId}:event-bus/${
        typeof name === 'string' && name !== '' ? name : 'default'
      }`;
    };
    // Authorize every entry first: one refused bus fails the whole request, as in AWS.
    for (const entry of entries as unknown[])
      mayPut(
        caller,
        busArn(entry),
        (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>,
      );

    const accepted: PutEventsEntry[] = [];
    const results: EntryResult[] = (entries as unknown[]).map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return { ErrorCode: 'InvalidArgument', ErrorMessage: problem };
      if (String((entry as Record<string, unknown>).Source).startsWith('aws.')) {
        return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
      }
      const { Source, DetailType, Detail, Time } = entry as Record<string, unknown>;
      const time = timeOf(Time);
      const eventId = randomUUID();
      accepted.push({
        EventId: eventId,
        Source: String(Source),
        DetailType: String(DetailType),
        Detail: String(Detail),
        EventBusName: busArn(entry),
        ...(time ? { Time: time } : {}),
      });
      return { EventId: eventId };
    });
    if (accepted.length > 0) await deps.hooks.putEvents(accepted, { accountId: caller.accountId });
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    sendJsonResult(response, 'json-1.1', { FailedEntryCount: failed, Entries: results });
  };
}

/** `Time` arrives as epoch seconds (the JSON protocol's timestamps) or, from hand-written calls, as text. */
function timeOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function entryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'Each entry must be an object.';
  const { Source, DetailType, Detail, Time } = entry as Record<string, unknown>;
  if (typeof Source !== 'string' || Source === '')
    return 'Parameter Source is not valid. Reason: Source is a required argument.';
  if (typeof DetailType !== 'string' || DetailType === '')
    return 'Parameter DetailType is not valid. Reason: DetailType is a required argument.';
  if (typeof Detail !== 'string' || Detail === '')
    return 'Parameter Detail is not valid. Reason: Detail is a required argument.';
  if (Time !== undefined && Time !== null && timeOf(Time) === undefined)
    return 'Parameter Time is not valid. Reason: Time must be a timestamp.';
  if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) return 'Entry size exceeds 256 KB.';
  try {
    const parsed: unknown = JSON.parse(Detail);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    return 'Parameter Detail is not valid. Reason: Detail must be a JSON object.';
  }
  return undefined;
}

const RULE_OPERATIONS = ['PutRule', 'PutTargets', 'RemoveTargets', 'DeleteRule'];

/** The run-time rule operations, on a bus of the caller's account (named, or `default`). */
async function ruleOperation(
  deps: { authorizer: Authorizer; hooks: PlatformHooks },
  request: SignedRequest,
  operation: string,
  response: Parameters<ServiceHandler>[1],
) {
  const input = parseJsonBody(await request.readBody());
  const { caller, region } = request;
  const rule = requiredString(input, operation === 'PutRule' || operation === 'DeleteRule' ? 'Name' : 'Rule');
  const busName = optionalString(input, 'EventBusName') ?? 'default';
  const busArn = busName.startsWith('arn:')
    ? busName
    : `arn:aws:events:${region}:${caller.accountId}:event-bus/${busName}`;
  const bus = busArn.split(':event-bus/')[1] ?? 'default';
  const ruleArn = `arn:aws:events:${region}:${accountOfArn(busArn)}:rule/${bus === 'default' ? '' : `${bus}/`}${rule}`;
  deps.authorizer.authorize(caller, { action: `events:${operation}`, resource: ruleArn });
  if (operation === 'PutRule') {
    let pattern: unknown;
    try {
      pattern = JSON.parse(requiredString(input, 'EventPattern'));
    } catch (error) {
      if (error instanceof AwsError) throw error;
      throw new AwsError(
        'InvalidEventPatternException',
        'Event pattern is not valid. Reason: it is not valid JSON.',
        400,
      );
    }
    const state = optionalString(input, 'State') ?? 'ENABLED';
    return sendJsonResult(response, 'json-1.1', {
      RuleArn: deps.hooks.rules.putRule(busArn, rule, pattern as Record<string, unknown>, state === 'ENABLED'),
    });
  }
  if (operation === 'PutTargets') {
    const targets = Array.isArray(input.Targets) ? (input.Targets as Array<{ Id: string; Arn: string }>) : [];
    deps.hooks.rules.putTargets(busArn, rule, targets);
    return sendJsonResult(response, 'json-1.1', { FailedEntryCount: 0, FailedEntries: [] });
  }
  if (operation === 'RemoveTargets') {
    deps.hooks.rules.removeTargets(busArn, rule, Array.isArray(input.Ids) ? (input.Ids as string[]) : []);
    return sendJsonResult(response, 'json-1.1', { FailedEntryCount: 0, FailedEntries: [] });
  }
  deps.hooks.rules.deleteRule(busArn, rule);
  return sendJsonResult(response, 'json-1.1', {});
}
