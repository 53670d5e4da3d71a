/**
 * The projects, clusters and backups learnt from platform events, in the table and read with no access
 * check: each record is written only when its event is newer than the stored one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { loadRecord } from '#shared/table/items';
import { keys } from '#shared/table/keys';
import type { BackupCompleted, ClusterUpserted, EventVersion, ProjectUpserted } from '#shared/projects/platform-events';

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
  return (await replaceIfNewer(key, record)).replaced;
}

/** putIfNewer, answering also the record it replaced. */
async function replaceIfNewer(
  key: { pk: string; sk: string },
  record: EventVersion & object,
): Promise<{ replaced: boolean; old?: Record<string, unknown> }> {
  try {
    const { Attributes } = await dynamodb.send(
      new PutCommand({
        TableName: config().TABLE_NAME,
        Item: { ...key, ...record },
        ConditionExpression: 'attribute_not_exists(pk) OR eventTime < :time OR (eventTime = :time AND eventId <= :id)',
        ExpressionAttributeValues: { ':time': record.eventTime, ':id': record.eventId },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { replaced: true, ...(Attributes ? { old: Attributes } : {}) };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { replaced: false };
    throw error;
  }
}

export const recordProject = (project: Project) => putIfNewer(keys.project(project.projectId), project);

/**
 * A cluster lives in its project's partition, and its current owner is recorded beside, outside any
 * project: when a `Cluster Upserted` moves a cluster to another project, the old project's record
 * stays behind, and only the owner record says it is no longer that project's (loadOwnedCluster).
 * Answers the project the cluster moved away from, if this event moved it.
 */
export async function recordCluster(cluster: Cluster): Promise<{ recorded: boolean; movedFrom?: string }> {
  const owner = {
    clusterId: cluster.clusterId,
    projectId: cluster.projectId,
    eventTime: cluster.eventTime,
    eventId: cluster.eventId,
  };
  const [recorded, ownerWrite] = await Promise.all([
    putIfNewer(keys.cluster(cluster.projectId, cluster.clusterId), cluster),
    replaceIfNewer(keys.clusterOwner(cluster.clusterId), owner),
  ]);
  const former = ownerWrite.old?.projectId;
  return { recorded, ...(typeof former === 'string' && former !== cluster.projectId ? { movedFrom: former } : {}) };
}

export const recordBackup = (backup: Backup) =>
  putIfNewer(keys.backup(backup.projectId, backup.clusterId, backup.backupId), backup);

export const loadProject = (projectId: string) => loadRecord<Project>(keys.project(projectId));

export const loadCluster = (projectId: string, clusterId: string) =>
  loadRecord<Cluster>(keys.cluster(projectId, clusterId));

/**
 * The project's cluster, if the project owns it now. Every use of a cluster on behalf of a project
 * (the API, auto-export, each forwarding run) goes through this, so a cluster that moved to another
 * project serves its former project nothing. Clusters recorded before owner records existed have
 * none: their project's own record is the answer until their next event.
 */
export async function loadOwnedCluster(projectId: string, clusterId: string): Promise<Cluster | undefined> {
  const [cluster, owner] = await Promise.all([
    loadCluster(projectId, clusterId),
    loadRecord<{ projectId: string }>(keys.clusterOwner(clusterId)),
  ]);
  if (!cluster || (owner && owner.projectId !== projectId)) return undefined;
  return cluster;
}

/** Whether the project owns the cluster now (loadOwnedCluster, for runs that only need the answer). */
export const ownsCluster = async (ref: { projectId: string; clusterId: string }) =>
  (await loadOwnedCluster(ref.projectId, ref.clusterId)) !== undefined;

export const loadBackup = (projectId: string, clusterId: string, backupId: string) =>
  loadRecord<Backup>(keys.backup(projectId, clusterId, backupId));
