/**
 * The probe object validation writes and reads back. It lives under a reserved prefix per
 * integration, and the session that writes it is narrowed to that prefix, so validation can never
 * touch the customer's own objects. The key is fixed per integration (one small object, overwritten
 * by each run: the customer's policy grants no DeleteObject, so per-run keys would pile up), and the
 * body names the run, so reading it back proves this run's write, not an older one.
 */

/** The reserved prefix under which every integration's probe lives. */
export const PROBE_ROOT = '.s3-integration-probe/';

export const probePrefix = (integrationId: string) => `${PROBE_ROOT}${integrationId}/`;

export const probeKey = (integrationId: string) => `${probePrefix(integrationId)}probe.txt`;

export function probeBody(integrationId: string, runId: string): string {
  return [
    'This object was written by the data platform to check that it can write to and read from this bucket.',
    'It is safe to delete; the next validation writes it again.',
    `integration: ${integrationId}`,
    `validation run: ${runId}`,
    '',
  ].join('\n');
}

/**
 * What every validation session may do, no more: write and read the probe, and read the bucket's
 * default encryption (to name the key when a KMS refusal does not). ASSUME_ROLE asks for exactly
 * this session, so it proves the session the later stages use.
 */
export const validationScope = (integrationId: string) => ({
  prefixes: [probePrefix(integrationId)],
  objectActions: ['s3:PutObject', 's3:GetObject'],
  bucketActions: ['s3:GetEncryptionConfiguration'],
});
