/**
 * The single table's key design, in one place. Everything a tenant owns lives in its project's
 * partition, so every read is a Query or GetItem scoped by `PROJECT#<projectId>` and no request can
 * reach another project's items by key. The items outside project partitions are service-wide
 * guards (external-id tombstones, each cluster's current owner) and the forwarding index. An export
 * job's plan and checkpoints sit in a partition of their own (still named by the project), so a
 * backup of thousands of files neither crowds the project partition nor the job listing; each
 * attempt of a job gets a fresh one. Every checkpoint item is small and written once or a bounded
 * number of times: none grows with the number of parts (docs/exports.md#bookkeeping). Likewise
 * forwarding's delivery ledger: one partition per cluster and hour of confirmation, so one Query
 * reads the files an hourly digest lists, and a busy cluster's writes spread over hours.
 *
 * | pk                     | sk                                  | item                                   |
 * | ---------------------- | ----------------------------------- | -------------------------------------- |
 * | PROJECT#<p>            | PROJECT                             | project (org, plan) from events        |
 * | PROJECT#<p>            | USAGE                               | counts the per-project limits check    |
 * | PROJECT#<p>            | CLUSTER#<c>                         | cluster (region, tier) from events     |
 * | PROJECT#<p>            | BACKUP#<c>#<b>                      | backup (status, location) from events  |
 * | PROJECT#<p>            | INTEGRATION#<i>                     | integration                            |
 * | PROJECT#<p>            | INTEGRATION_NAME#<lower-case name>  | name reservation (unique names)        |
 * | PROJECT#<p>            | JOB#<j>                             | export job                             |
 * | PROJECT#<p>            | EXPORT_SLOTS                        | jobs running now, jobs waiting (count) |
 * | PROJECT#<p>            | EXPORT_WAITING#<createdAt>#<j>      | a job waiting for a slot, in line      |
 * | PROJECT#<p>            | EXPORT_RULE#<c>                     | per-cluster auto-export rule           |
 * | PROJECT#<p>            | FORWARDING#<c>                      | audit-log forwarding of a cluster      |
 * | PROJECT#<p>            | LAG_HISTORY#<c>                     | forwarding lag per 10-minute slot, a day's ring |
 * guards (external-id tombstones, each cluster's current owner) and the forwarding index. An export
 * job's plan and checkpoints sit in a partition of their own (still named by the project), so a
 * backup of thousands of files neither crowds the project partition nor the job listing; each
 * attempt of a job gets a fresh one. Every checkpoint item is small and written once or a bounded
 * number of times: none grows with the number of parts (docs/exports.md#bookkeeping). Likewise
 * forwarding's delivery ledger: one partition per cluster and hour of confirmation, so one Query
 * reads the files an hourly digest lists, and a busy cluster's writes spread over hours.
 * | EXTERNAL_ID#<id>       | EXTERNAL_ID                         | tombstone: an external id is never reused |
 * | CLUSTER#<c>            | OWNER                               | which project owns the cluster now (events) |
 *
 * Global secondary index `ForwardingIndex` (sparse, HASH `forwardingShard`, projects projectId,
 * clusterId, integrationId and health): only FORWARDING#<c> items carry `forwardingShard` =
 * `FORWARDING_SHARD#<0..15>` (a hash of the cluster id), so the index lists exactly the enabled
 * forwardings; the scheduler queries the shards in parallel every tick and, from the projected
 * health, rolls every integration's health up without reading the forwarding items themselves.
 *
 * Global secondary index `ExportSlotIndex` (sparse, HASH `exportSlotShard`, projects projectId,
 * running, waitingCount): only EXPORT_SLOTS items carry `exportSlotShard` = `EXPORT_SLOT_SHARD#<0..7>`
 * (a hash of the project id), so the export sweeper finds every project that runs or queues exports.
 *
 * Global secondary index `RecheckIndex` (sparse, HASH `recheckShard`, RANGE `lastCheckedAt`, projects
 * status): a validation run that makes an integration ACTIVE sets `recheckShard` =
 * `RECHECK_SHARD#<0..7>` (a hash of the integration id) and `lastCheckedAt`; a run that ends FAILED
 * removes the shard. The daily re-validation queries each shard for `lastCheckedAt` older than a day,
 * oldest first, and skips entries whose projected status is no longer ACTIVE.
 */

export const projectPk = (projectId: string) => `PROJECT#${projectId}`;
export const exportFilesPk = (projectId: string, jobId: string, attempt: number) =>
  `${projectPk(projectId)}#JOB#${jobId}#${attempt}`;
/** `hour` is `YYYYMMDDHH` (UTC) of the confirmation. */
export const deliveryLedgerPk = (projectId: string, clusterId: string, hour: string) =>
  `${projectPk(projectId)}#FORWARDED#${clusterId}#${hour}`;

export const keys = {
  project: (projectId: string) => ({ pk: projectPk(projectId), sk: 'PROJECT' }),
  projectUsage: (projectId: string) => ({ pk: projectPk(projectId), sk: 'USAGE' }),
  cluster: (projectId: string, clusterId: string) => ({ pk: projectPk(projectId), sk: `CLUSTER#${clusterId}` }),
  backup: (projectId: string, clusterId: string, backupId: string) => ({
    pk: projectPk(projectId),
    sk: `BACKUP#${clusterId}#${backupId}`,
  }),
  integration: (projectId: string, integrationId: string) => ({
    pk: projectPk(projectId),
    sk: `INTEGRATION#${integrationId}`,
  }),
  integrationName: (projectId: string, name: string) => ({
    pk: projectPk(projectId),
    sk: `INTEGRATION_NAME#${name.normalize('NFC').toLowerCase()}`,
  }),
  job: (projectId: string, jobId: string) => ({ pk: projectPk(projectId), sk: `JOB#${jobId}` }),
  exportSlots: (projectId: string) => ({ pk: projectPk(projectId), sk: 'EXPORT_SLOTS' }),
  exportWaiting: (projectId: string, createdAt: string, jobId: string) => ({
    pk: projectPk(projectId),
    sk: `EXPORT_WAITING#${createdAt}#${jobId}`,
  }),
  exportRule: (projectId: string, clusterId: string) => ({ pk: projectPk(projectId), sk: `EXPORT_RULE#${clusterId}` }),
  exportFileGroup: (projectId: string, jobId: string, attempt: number, group: number) => ({
    pk: exportFilesPk(projectId, jobId, attempt),
    sk: exportSortKey.group(group),
  }),
  forwarding: (projectId: string, clusterId: string) => ({ pk: projectPk(projectId), sk: `FORWARDING#${clusterId}` }),
  lagHistory: (projectId: string, clusterId: string) => ({ pk: projectPk(projectId), sk: `LAG_HISTORY#${clusterId}` }),
  forwardingReplay: (projectId: string, clusterId: string, replayId: string) => ({
    pk: projectPk(projectId),
    sk: `FORWARDING_REPLAY#${clusterId}#${replayId}`,
  }),
  deliveredFile: (projectId: string, clusterId: string, hour: string, sourceKey: string) => ({
    pk: deliveryLedgerPk(projectId, clusterId, hour),
    sk: sourceKey,
  }),
  externalId: (externalId: string) => ({ pk: `EXTERNAL_ID#${externalId}`, sk: 'EXTERNAL_ID' }),
  clusterOwner: (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'OWNER' }),
};

export const FORWARDING_SHARDS = 16;
export const forwardingShardKey = (shard: number) => `FORWARDING_SHARD#${shard}`;

export const EXPORT_SLOT_SHARDS = 8;
export const exportSlotShardKey = (shard: number) => `EXPORT_SLOT_SHARD#${shard}`;

export const RECHECK_SHARDS = 8;
export const recheckShardKey = (shard: number) => `RECHECK_SHARD#${shard}`;

/** Sort keys inside one export attempt's partition (exportFilesPk). Zero-padded: key order is number order. */
const pad = (value: number, digits: number) => String(value).padStart(digits, '0');
export const exportSortKey = {
  group: (group: number) => `FILES#${pad(group, 7)}`,
  doneMarks: (group: number) => `DONE#${pad(group, 7)}`,
  part: (group: number, partNumber: number) => `PART#${pad(group, 7)}#${pad(partNumber, 5)}`,
  /** Below every part of `group` in key order (`~` sorts after digits). */
  partsOfGroupEnd: (group: number) => `PART#${pad(group, 7)}#~`,
  unit: (unit: number) => `UNIT#${pad(unit, 7)}`,
};

export const sortKeyPrefix = {
  cluster: 'CLUSTER#',
  integration: 'INTEGRATION#',
  job: 'JOB#',
  forwarding: 'FORWARDING#',
  exportWaiting: 'EXPORT_WAITING#',
  lagHistory: 'LAG_HISTORY#',
} as const;

/** The sort-key prefix of one cluster's backups (ids never contain "#", so no cluster's prefix covers another's). */
export const backupsOfCluster = (clusterId: string) => `BACKUP#${clusterId}#`;
