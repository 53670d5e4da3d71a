/**
 * The integration records in the table, read and written with no access check: only use cases
 * (manage-integrations.ts, which authorize first) and workers call this. Store reads are named
 * `load…` here and in every `*-store.ts`, never like a use case (`getIntegration`), so an
 * editor's auto-import cannot offer the unchecked read for a checked use case.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { ConflictError } from '#shared/errors';
import { ensureUsageCounted, releaseIntegrationPlace, takeIntegrationPlace } from '#shared/projects/project-usage';
import { cancellationReasons, loadRecord, queryProjectPage, tableName as table } from '#shared/table/items';
import { keys, sortKeyPrefix } from '#shared/table/keys';
import type { Integration } from '#shared/integrations/integration';

/**
 * Creates the integration, reserves its name within the project, records its external ID as used
 * and takes one of the project's integration places, in one transaction: two concurrent creates of
 * the same name leave exactly one integration, and a project never holds more than its limit.
 */
export async function insertIntegration(integration: Integration): Promise<void> {
  const { projectId, integrationId, name, externalId } = integration;
  await ensureUsageCounted(projectId);
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...keys.integration(projectId, integrationId), ...integration },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table(),
              Item: { ...keys.integrationName(projectId, name), integrationId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table(),
              Item: { ...keys.externalId(externalId), projectId, integrationId, createdAt: integration.createdAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          takeIntegrationPlace(projectId),
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[1]?.Code === 'ConditionalCheckFailed') {
      throw new ConflictError(
        'NAME_TAKEN',
        `An integration named "${name}" already exists in this project: choose another name.`,
      );
    }
    if (reasons[3]?.Code === 'ConditionalCheckFailed') {
      const limit = config().MAX_INTEGRATIONS_PER_PROJECT;
      throw new ConflictError(
        'INTEGRATION_LIMIT_REACHED',
        `This project already has ${limit} integrations, the most it may have: delete one it no longer uses ` +
          '(DELETE .../integrations/{integrationId}) before creating another.',
      );
    }
    throw error;
  }
}

export const loadIntegration = (projectId: string, integrationId: string) =>
  loadRecord<Integration>(keys.integration(projectId, integrationId));

export const loadIntegrationPage = (projectId: string, page: { limit: number; nextToken?: string }) =>
  queryProjectPage<Integration>(projectId, sortKeyPrefix.integration, page);

/**
 * Deletes the integration, frees its name and gives its place back, unless an export or forwarding
 * uses it. The external ID tombstone stays forever, so the ID can never be issued again.
 */
export async function deleteIntegrationRecords(integration: Integration): Promise<void> {
  const { projectId, integrationId, name } = integration;
  await ensureUsageCounted(projectId);
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table(),
              Key: keys.integration(projectId, integrationId),
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedBy)',
            },
          },
          {
            Delete: {
              TableName: table(),
              Key: keys.integrationName(projectId, name),
              ConditionExpression: 'integrationId = :id',
              ExpressionAttributeValues: { ':id': integrationId },
            },
          },
          releaseIntegrationPlace(projectId),
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      throw new ConflictError(
        'INTEGRATION_IN_USE',
        'This integration is used by a running export or by audit-log forwarding: ' +
          'wait for the export to finish or turn forwarding off, then delete it.',
      );
    }
    throw error;
  }
}

export type ValidationStart =
  | { began: true }
  | { began: false; reason: 'in-progress' }
  | { began: false; reason: 'rate-limited'; retryAfterSeconds: number };

/**
 * Moves the integration to VALIDATING for a new validation run, unless a run is already under way
 * (one that started within `staleAfterMs` counts as under way; an older one is presumed dead) or
 * the integration has started VALIDATIONS_PER_INTEGRATION_PER_MINUTE runs this minute. The count
 * lives on the integration (`validationWindow`, the minute; `validationsInWindow`) and is checked
 * in the same conditional write that starts the run, so no burst can start more.
 */
export async function beginValidation(
  integration: Pick<Integration, 'projectId' | 'integrationId'>,
  run: { runId: string; startedAt: string; roleArn?: string; staleBefore: string },
): Promise<ValidationStart> {
  const key = keys.integration(integration.projectId, integration.integrationId);
  const window = run.startedAt.slice(0, 16);
  const max = config().VALIDATIONS_PER_INTEGRATION_PER_MINUTE;
  const setRole = run.roleArn ? ', roleArn = :roleArn' : '';
  const base = {
    set: `SET #status = :validating, validation = :report, updatedAt = :now${setRole}`,
    condition: 'attribute_exists(pk) AND (#status <> :validating OR validation.startedAt < :staleBefore)',
    values: {
      ':validating': 'VALIDATING',
      ':report': { runId: run.runId, result: 'RUNNING', stages: [], startedAt: run.startedAt },
      ':now': run.startedAt,
      ':staleBefore': run.staleBefore,
      ':window': window,
      ...(run.roleArn ? { ':roleArn': run.roleArn } : {}),
    },
  };
  const attempt = async (count: string, windowCondition: string, values: Record<string, unknown>) => {
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: table(),
          Key: key,
          UpdateExpression: `${base.set}, ${count}`,
          ConditionExpression: `${base.condition} AND ${windowCondition}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...base.values, ...values },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };
  for (let round = 0; round < 3; round += 1) {
    if (
      await attempt(
        'validationsInWindow = validationsInWindow + :one',
        'validationWindow = :window AND validationsInWindow < :max',
        { ':one': 1, ':max': max },
      )
    ) {
      return { began: true };
    }
    if (
      await attempt(
        'validationWindow = :window, validationsInWindow = :one',
        '(attribute_not_exists(validationWindow) OR validationWindow <> :window)',
        { ':one': 1 },
      )
    ) {
      return { began: true };
    }
    // Neither applied: find out which condition held it back (or retry a race with a window change).
    const stored = await loadRecord<Integration>(key);
    if (!stored) return { began: false, reason: 'in-progress' };
    if (stored.status === 'VALIDATING' && (stored.validation?.startedAt ?? '') >= run.staleBefore)
      return { began: false, reason: 'in-progress' };
    if (stored.validationWindow === window && (stored.validationsInWindow ?? 0) >= max) {
      const secondsIntoMinute = Number(run.startedAt.slice(17, 19)) || 0;
      return { began: false, reason: 'rate-limited', retryAfterSeconds: Math.max(1, 60 - secondsIntoMinute) };
    }
  }
  return { began: false, reason: 'in-progress' };
}
