/**
 * EventBridge `PutEvents` over JSON 1.1 (`X-Amz-Target: AWSEvents.PutEvents`). The caller needs
 * `events:PutEvents` on the target bus (`arn:aws:events:<region>:<acct>:event-bus/<name>`);
 * valid entries go to the local runtime through `hooks.putEvents`, invalid ones are reported
 * per entry as EventBridge does (the request as a whole still succeeds).
 */
import { randomUUID } from 'node:crypto';
import { AwsError, type Authorize, type PlatformHooks, type ServiceHandler } from '#local/aws/contract';
import { jsonOperation, parseJsonBody, sendJsonResult } from '#local/aws/protocols';

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

type Entry = Parameters<PlatformHooks['putEvents']>[0][number];
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export function createEventsService(deps: { authorize: Authorize; hooks: PlatformHooks }): ServiceHandler {
  return async (request, response) => {
    if (jsonOperation(request.raw.headers['x-amz-target'], 'AWSEvents') !== 'PutEvents') {
      throw new AwsError('UnknownOperationException', 'Only PutEvents is supported by the local endpoint.', 400);
    }
    const input = parseJsonBody(await request.readBody());
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} events.`, 400);
    }
    const { caller, region } = request;
    const busArn = (name: string | undefined) =>
      name?.startsWith('arn:') ? name : `arn:aws:events:${region}:${caller.accountId}:event-bus/${name ?? 'default'}`;
    // Authorize every bus first: one denied bus fails the whole request, as in AWS.
    for (const entry of entries as Array<Record<string, unknown>>) {
      const bus = typeof entry?.EventBusName === 'string' ? entry.EventBusName : undefined;
      deps.authorize(caller, { action: 'events:PutEvents', resource: busArn(bus) });
    }

    const accepted: Entry[] = [];
    const results: EntryResult[] = (entries as unknown[]).map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return { ErrorCode: 'InvalidArgument', ErrorMessage: problem };
      accepted.push(entry as Entry);
      return { EventId: randomUUID() };
    });
    if (accepted.length > 0) await deps.hooks.putEvents(accepted);
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    sendJsonResult(response, 'json-1.1', { FailedEntryCount: failed, Entries: results });
  };
}

function entryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'Each entry must be an object.';
  const { Source, DetailType, Detail } = entry as Record<string, unknown>;
  if (typeof Source !== 'string' || Source === '') return 'Parameter Source is not valid. Reason: Source is a required argument.';
  if (typeof DetailType !== 'string' || DetailType === '') return 'Parameter DetailType is not valid. Reason: DetailType is a required argument.';
  if (typeof Detail !== 'string' || Detail === '') return 'Parameter Detail is not valid. Reason: Detail is a required argument.';
  if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) return 'Entry size exceeds 256 KB.';
  try {
    const parsed: unknown = JSON.parse(Detail);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    return 'Parameter Detail is not valid. Reason: Detail must be a JSON object.';
  }
  return undefined;
}
