/**
 * An ACTIVE integration that fails a check later becomes FAILED with the reason, in the same
 * report shape as a validation run, so the customer sees what to fix and can validate again.
 * A validation run in progress is left alone: its own result will tell.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { publishIntegrationStatus } from '#shared/notifications/publish';
import { keys } from '#shared/table/keys';
import type { ValidationStage } from '#shared/integrations/schemas';

export interface IntegrationFailure {
  /** What found the failure: an export job, forwarding, or the daily re-validation. */
  detectedBy: string;
  stage: ValidationStage['name'];
  code: string;
  message: string;
}

export async function markIntegrationFailed(
  ref: { projectId: string; integrationId: string },
  failure: IntegrationFailure,
): Promise<boolean> {
  const now = new Date().toISOString();
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(ref.projectId, ref.integrationId),
        // A FAILED integration carries no work: its proved settings go (shared/integrations/customer-target.ts).
        UpdateExpression: 'SET #status = :failed, validation = :report, updatedAt = :now REMOVE validated',
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':active': 'ACTIVE',
          ':now': now,
          ':report': {
            runId: `${failure.detectedBy}-${Date.now().toString(36)}`,
            result: 'FAILED',
            startedAt: now,
            endedAt: now,
            stages: [
              {
                name: failure.stage,
                status: 'FAILED',
                code: failure.code,
                message: failure.message,
                startedAt: now,
                endedAt: now,
              },
            ],
          },
        },
      }),
    );
    logger.warn('integration marked FAILED', { ...ref, code: failure.code, detectedBy: failure.detectedBy });
    await publishIntegrationStatus(ref, {
      status: 'FAILED',
      previousStatus: 'ACTIVE',
      detectedBy: failure.detectedBy,
      failed: { code: failure.code, name: failure.stage },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
