/**
 * What a successful validation run does to an external-ID rotation (shared/integrations/
 * rotate-external-id.ts), as parts of the run's final conditional write (run-store.ts):
 *
 * - PENDING, and the run tested the new ID: the new ID becomes the integration's `externalId` (the
 *   snapshot written beside it makes work use it). If the run saw the role refuse the old ID, the
 *   rotation is over and the old ID retired; otherwise it is RETIRING.
 * - RETIRING, and the run saw the role refuse the old ID: the rotation is over, the old ID retired.
 *
 * `oldIdToProbe` says when a run checks the old ID at all: when the ID it tests is the new one.
 */
import type { Integration } from '#shared/integrations/integration';
import type { RunRef } from '#shared/validation/run-input';

export interface RotationWrite {
  set: string[];
  remove: string[];
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
  /** The external ID this write retires. */
  retires?: string;
}

const NOTHING: RotationWrite = { set: [], remove: [], condition: '', names: {}, values: {} };

/** The old ID a run testing `testedExternalId` must see refused before the rotation can end. */
export function oldIdToProbe(integration: Integration, testedExternalId: string): string | undefined {
  const rotation = integration.externalIdRotation;
  return rotation && rotation.newExternalId === testedExternalId ? rotation.oldExternalId : undefined;
}

export function rotationAfterSuccess(ref: RunRef, integration: Integration, testedExternalId: string): RotationWrite {
  const rotation = integration.externalIdRotation;
  if (!rotation || rotation.newExternalId !== testedExternalId) return NOTHING;
  const refused = rotation.oldIdRefusedBy === ref.runId;
  const names = { '#rotation': 'externalIdRotation', '#rotationStatus': 'status' };
  const sameRotation = ' AND #rotation.newExternalId = :rotationNew AND #rotation.#rotationStatus = :rotationWas';
  const values: Record<string, unknown> = { ':rotationNew': rotation.newExternalId, ':rotationWas': rotation.status };
  const ends = refused
    ? { remove: ['#rotation'], retires: rotation.oldExternalId, condition: ' AND #rotation.oldIdRefusedBy = :runId' }
    : undefined;
  if (rotation.status === 'PENDING') {
    return {
      set: ['externalId = :rotationNew', ...(ends ? [] : ['#rotation.#rotationStatus = :retiring'])],
      remove: ends?.remove ?? [],
      condition: `${sameRotation}${ends?.condition ?? ''}`,
      names,
      values: { ...values, ...(ends ? {} : { ':retiring': 'RETIRING' }) },
      ...(ends ? { retires: ends.retires } : {}),
    };
  }
  if (!ends) return NOTHING;
  return {
    set: [],
    remove: ends.remove,
    condition: `${sameRotation}${ends.condition}`,
    names,
    values,
    retires: ends.retires,
  };
}
