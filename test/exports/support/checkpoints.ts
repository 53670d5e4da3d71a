/**
 * Reading an export attempt's checkpoints as a test sees them (docs/exports.md#checkpoints-linear-bookkeeping): the
 * plan's groups with their uploads, the parts recorded, the units with their turns and leases.
 */
import { queryRange } from '#shared/exports/checkpoints/attempt';
import { loadAllGroups } from '#shared/exports/checkpoints/file-groups';
import { exportSortKey } from '#shared/table/keys';
import { storedJob } from './export-stack';

export const attemptOf = (projectId: string, jobId: string, attempt = 1) => ({ projectId, jobId, attempt });

export const plannedGroups = (projectId: string, jobId: string) => loadAllGroups(attemptOf(projectId, jobId));

export function recordedParts(projectId: string, jobId: string) {
  return queryRange<{ sk: string; partNumber: number; uploadId: string; size: number }>(
    attemptOf(projectId, jobId),
    exportSortKey.part(0, 0),
    exportSortKey.partsOfGroupEnd(9_999_999),
  );
}

interface Position {
  group: number;
  part: number;
}

export function units(projectId: string, jobId: string) {
  return queryRange<{
    unit: number;
    first: Position;
    last: Position;
    turn: number;
    epoch: number;
    done?: boolean;
    lease?: { owner: string; expiresAt: number };
  }>(attemptOf(projectId, jobId), exportSortKey.unit(0), exportSortKey.unit(9_999_999));
}

/** The recorded parts inside a unit's range (a part item's key is `PART#<group>#<part>`). */
export function partsInUnit(parts: Array<{ sk: string }>, unit: { first: Position; last: Position }) {
  const order = (position: Position) => position.group * 100_000 + position.part;
  return parts.filter((part) => {
    const [, group, number] = part.sk.split('#');
    const at = order({ group: Number(group), part: Number(number) });
    return at >= order(unit.first) && at <= order(unit.last);
  });
}

/** Waits until no lease of the job or its units is live (a dead invocation's lasts until its deadline). */
export async function leasesLapsed(projectId: string, jobId: string): Promise<void> {
  const leases = [
    (await storedJob(projectId, jobId)).lease,
    ...(await units(projectId, jobId)).map((unit) => unit.lease),
  ];
  const lapse = Math.max(0, ...leases.map((lease) => lease?.expiresAt ?? 0));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lapse - Date.now()) + 100));
}
