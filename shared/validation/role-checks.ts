/**
 * The two trust-policy stages. Each makes its own AssumeRole call and drops the credentials at
 * once: no key ever leaves the task, so none can reach the execution history or a stage result.
 */
import { nameOf, statusOf } from '#shared/aws/error-kinds';
import { assumeRole, platformPrincipalArn } from '#shared/customer-bucket/assume-customer-role';
import {
  DENY_ALL_SESSION_POLICY,
  sessionPolicyFor,
  validationSessionName,
} from '#shared/customer-bucket/session-policy';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { newExternalId } from '#shared/integrations/identifiers';
import { externalIdCheckInconclusive, externalIdNotEnforced, roleAssumptionFailed } from '#shared/validation/failures';
import { validationScope } from '#shared/validation/probe';
import { failed, passed, type CheckOutcome } from '#shared/validation/stage-outcome';
import { throwIfTransient } from '#shared/validation/transient-stage-error';

/** ASSUME_ROLE: the role exists and trusts the platform with this integration's external ID. */
export async function checkAssumeRole(target: CustomerTarget): Promise<CheckOutcome> {
  try {
    await assumeRole({
      roleArn: target.roleArn,
      externalId: target.externalId,
      sessionName: validationSessionName(target.integrationId),
      // The same narrowing the later stages use: the check proves exactly the session they need.
      sessionPolicy: JSON.stringify(
        sessionPolicyFor({
          ...validationScope(target.integrationId),
          bucketName: target.bucketName,
          kmsKeyArn: target.kmsKeyArn,
        }),
      ),
    });
    return passed();
  } catch (error) {
    throwIfTransient(error);
    // Only an answer from STS is the customer's to fix; anything else (no answer at all) is ours.
    if (statusOf(error) === undefined) throw error;
    return failed(roleAssumptionFailed(await principalOrTransient(), target, error));
  }
}

/**
 * EXTERNAL_ID_ENFORCED: AssumeRole with another tenant's external ID must be denied. If STS grants
 * it, the trust policy does not pin this integration's ID, and another tenant's integration could
 * make the platform act on this bucket for them (the confused-deputy problem).
 *
 * The probe must be indistinguishable from a real call of another integration, or a trust policy
 * could tell the two apart and pass the check while accepting other tenants: its ID comes from the
 * generator of real IDs (fresh each run, same shape, so `StringLike "s3i-*"` is caught), its session
 * name is the real validation session's, and only AccessDenied from STS means "refused". Any other
 * answer proves nothing and fails the stage; a deny-all session policy makes a granted probe useless.
 */
export async function checkExternalIdEnforced(target: CustomerTarget): Promise<CheckOutcome> {
  try {
    await assumeRole({
      roleArn: target.roleArn,
      externalId: newExternalId(),
      sessionName: validationSessionName(target.integrationId),
      sessionPolicy: DENY_ALL_SESSION_POLICY,
    });
  } catch (error) {
    throwIfTransient(error);
    if (nameOf(error) === 'AccessDenied') return passed();
    // Only an answer from STS is the customer's to fix; no answer at all is ours.
    if (statusOf(error) === undefined) throw error;
    return failed(externalIdCheckInconclusive(target, error));
  }
  return failed(externalIdNotEnforced(target));
}

async function principalOrTransient(): Promise<string> {
  try {
    return await platformPrincipalArn();
  } catch (error) {
    throwIfTransient(error);
    throw error;
  }
}
