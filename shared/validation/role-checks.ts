import { randomBytes } from 'node:crypto';
import { statusOf } from '#shared/aws/error-kinds';
import { assumeRole, platformPrincipalArn } from '#shared/customer-bucket/assume-customer-role';
import { sessionPolicyFor } from '#shared/customer-bucket/session-policy';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { externalIdNotEnforced, roleAssumptionFailed } from '#shared/validation/failures';
import { probePrefix } from '#shared/validation/probe';
import { failed, passed, type CheckOutcome } from '#shared/validation/stage-outcome';
import { throwIfTransient } from '#shared/validation/transient-stage-error';

/**
 * The two trust-policy stages. Each makes its own AssumeRole call and drops the credentials at
 * once: no key ever leaves the task, so none can reach the execution history or a stage result.
 */

/** ASSUME_ROLE: the role exists and trusts the platform with this integration's external ID. */
export async function checkAssumeRole(target: CustomerTarget): Promise<CheckOutcome> {
  try {
    await assumeRole({
      roleArn: target.roleArn,
      externalId: target.externalId,
      sessionName: `${target.integrationId}-validate`,
      // The same narrowing the later stages use: the check proves exactly the session they need.
      sessionPolicy: JSON.stringify(
        sessionPolicyFor({
          bucketName: target.bucketName,
          prefixes: [probePrefix(target.integrationId)],
          objectActions: ['s3:PutObject', 's3:GetObject'],
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

/** Denies everything: the credentials of the probe below, if STS ever issues them, can do nothing. */
const DENY_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });

/**
 * EXTERNAL_ID_ENFORCED: AssumeRole with a fresh random external ID must be denied. If STS grants
 * it, the trust policy does not check the external ID, and anyone who learns the role ARN could
 * make the platform act on this bucket for them (the confused-deputy problem).
 */
export async function checkExternalIdEnforced(target: CustomerTarget): Promise<CheckOutcome> {
  try {
    await assumeRole({
      roleArn: target.roleArn,
      externalId: `external-id-check-${randomBytes(16).toString('hex')}`,
      sessionName: `${target.integrationId}-external-id-check`,
      sessionPolicy: DENY_ALL,
    });
  } catch (error) {
    throwIfTransient(error);
    if (statusOf(error) === 403) return passed();
    throw error;
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
