import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/dynamodb';
import { config } from '#shared/config';
import { getRecord } from '#shared/table/items';
import { keys } from '#shared/table/keys';
import type {
  BackupCompleted,
  ClusterUpserted,
  EventVersion,
  ProjectUpserted,
} from '#shared/projects/platform-events';

export type Project = ProjectUpserted & EventVersion;
export type Cluster = ClusterUpserted & EventVersion;
export type Backup = BackupCompleted & EventVersion & { status: 'AVAILABLE' };

/**
 * Writes a record from an event unless the stored one comes from a newer event. Ties on time are
 * broken by event id, so every replica of the table converges on the same record whatever order
 * the events arrive in, and replaying an event rewrites identical content.
 * Returns false when the event was older than what is stored.
 */
async function putIfNewer(key: { pk: string; sk: string }, record: EventVersion & object): Promise<boolean> {
  try {
    await dynamodb.send(
      new PutCommand({
        TableName: config().TABLE_NAME,
        Item: { ...key, ...record },
        ConditionExpression:
          'attribute_not_exists(pk) OR eventTime < :time OR (eventTime = :time AND eventId <= :id)',
        ExpressionAttributeValues: { ':time': record.eventTime, ':id': record.eventId },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export const recordProject = (project: Project) => putIfNewer(keys.project(project.projectId), project);

export const recordCluster = (cluster: Cluster) =>
  putIfNewer(keys.cluster(cluster.projectId, cluster.clusterId), cluster);

export const recordBackup = (backup: Backup) =>
  putIfNewer(keys.backup(backup.projectId, backup.clusterId, backup.backupId), backup);


export const getProject = (projectId: string) => getRecord<Project>(keys.project(projectId));

export const getCluster = (projectId: string, clusterId: string) =>
  getRecord<Cluster>(keys.cluster(projectId, clusterId));

export const getBackup = (projectId: string, clusterId: string, backupId: string) =>
  getRecord<Backup>(keys.backup(projectId, clusterId, backupId));
