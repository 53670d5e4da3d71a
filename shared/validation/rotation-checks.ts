/**
 * Part of EXTERNAL_ID_ENFORCED while an external-ID rotation is under way and the run tests the
 * new ID: does the role still accept the old one? Asked like the stage's other probe (same
 * session name, a deny-all session policy, so granted credentials could do nothing), and only
 * STS's AccessDenied counts as refused. A refusal is recorded for the run, whose success then
 * retires the old ID (rotation-outcome.ts). The answer never fails the stage: the new ID works,
 * and the platform never uses the old one again either way; the customer learns what is left to do.
 */
import { nameOf } from '#shared/aws/error-kinds';
import { assumeRole } from '#shared/customer-bucket/assume-customer-role';
import { DENY_ALL_SESSION_POLICY, validationSessionName } from '#shared/customer-bucket/session-policy';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import type { Integration } from '#shared/integrations/integration';
import { oldIdToProbe } from '#shared/validation/rotation-outcome';
import type { RunRef } from '#shared/validation/run-input';
import { recordOldIdRefused } from '#shared/validation/run-store';
import { throwIfTransient } from '#shared/validation/transient-stage-error';

export async function checkOldExternalId(
  ref: RunRef,
  integration: Integration,
  target: CustomerTarget,
): Promise<{ note?: string }> {
  const oldId = oldIdToProbe(integration, target.externalId);
  if (!oldId) return {};
  let granted = false;
  try {
    await assumeRole({
      roleArn: target.roleArn,
      externalId: oldId,
      sessionName: validationSessionName(target.integrationId),
      sessionPolicy: DENY_ALL_SESSION_POLICY,
    });
    granted = true;
  } catch (error) {
    throwIfTransient(error);
    if (nameOf(error) === 'AccessDenied') {
      await recordOldIdRefused(ref, oldId);
      return {};
    }
  }
  return {
    note:
      `the role ${granted ? 'still accepts' : 'may still accept (STS did not answer AccessDenied)'} the external ` +
      `ID being replaced [${oldId}]: ` +
      `the new one [${target.externalId}] is used once this validation passes; remove the old one from the trust ` +
      `policy's sts:ExternalId condition and validate again to retire it`,
  };
}
