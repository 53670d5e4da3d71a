/**
 * Platform events as the attack suite sends them (test/security/forged-platform-event*.test.ts):
 * put on a bus by any account, as AWS's PutEvents would, or built as EventBridge delivers them for
 * a handler run in the test process; and how a test sees what the service did with one (the log
 * line of its refusal, the organization a project is in now).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { loadProject } from '#shared/projects/project-store';
import { localStack } from '../../support/local-stack';
import { eventually, PLATFORM_ACCOUNT, platformEvents, type Project } from '../../support/platform';

/** Puts one event as `accountId` on `bus`; answers its event id, or the error AWS answered. */
export async function put(
  accountId: string,
  bus: string,
  source: string,
  detailType: string,
  detail: object,
  time?: Date,
) {
  try {
    const answer = await platformEvents(accountId).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: source,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
            EventBusName: bus,
            ...(time ? { Time: time } : {}),
          },
        ],
      }),
    );
    return { eventId: answer.Entries?.[0]?.EventId ?? '' };
  } catch (error) {
    return { error: error as { name: string } };
  }
}

/** The stack's log lines that refused `eventId`, once the refusal has been logged. */
export function refusalsOf(eventId: string) {
  return eventually(async () => {
    const lines = readFileSync(localStack().logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('platform event refused') && line.includes(eventId));
    return lines.length > 0 ? lines : undefined;
  }, `the refusal of event ${eventId} was not logged`);
}

/** The organization the service now holds the project in. */
export const orgOf = async (project: Project) => (await loadProject(project.projectId))?.orgId;

/** A short pause for events the service must NOT act on: long enough for a delivered one to land. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

/** An event as EventBridge delivers it from the platform account, with overrides. */
export function envelope(
  source: string,
  detailType: string,
  detail: object,
  options: { account?: string; time?: Date } = {},
): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: options.account ?? PLATFORM_ACCOUNT,
    time: (options.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}
