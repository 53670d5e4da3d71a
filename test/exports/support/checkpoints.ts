/**
 * Reading an export attempt's checkpoints as a test sees them (docs/exports.md#bookkeeping): the
 * plan's groups with their uploads, the parts recorded, the units with their turns and leases.
 */
import { queryRange } from '#shared/exports/checkpoints/attempt';
import { loadAllGroups } from '#shared/exports/checkpoints/file-groups';
import { exportSortKey } from '#shared/table/keys';

export const attemptOf = (projectId: string, jobId: string, attempt = 1) => ({ projectId, jobId, attempt });

export const plannedGroups = (projectId: string, jobId: string) => loadAllGroups(attemptOf(projectId, jobId));

export function recordedParts(projectId: string, jobId: string) {
  return queryRange<{ partNumber: number; uploadId: string; size: number }>(attemptOf(projectId, jobId), exportSortKey.part(0, 0), exportSortKey.partsOfGroupEnd(9_999_999));
}

export function units(projectId: string, jobId: string) {
  return queryRange<{ unit: number; turn: number; epoch: number; done?: boolean; lease?: { owner: string; expiresAt: number } }>(
    attemptOf(projectId, jobId),
    exportSortKey.unit(0),
    exportSortKey.unit(9_999_999),
  );
}
