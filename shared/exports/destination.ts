/**
 * Where an export writes, derived only from its inputs: the same request always names the same
 * job and the same keys, so a duplicate event, a repeated request or a retried copy overwrites its
 * own earlier attempt instead of creating a second copy.
 */
import { createHash } from 'node:crypto';
import { PROBE_ROOT } from '#shared/validation/probe';

export const MAX_DIRECTORY_LENGTH = 256;
/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** The manifest's name inside the export folder; a backup file of that name is refused at planning. */
export const MANIFEST_NAME = 'export-manifest.json';

/**
 * S3's "safe characters" for key names, without `*`: the directory ends up in the resource ARN of
 * the export's session policy, where `*` (like `?`) is a wildcard and would widen the session.
 */
const SAFE_SEGMENT = /^[A-Za-z0-9!_.'()-]+$/;

/**
 * A directory as a person types it: `exports/` means the folder `exports`. Only trailing slashes
 * go; a leading one is refused with its reason (it would not name a folder of the bucket's root).
 */
export const normalizeDirectory = (directory: string) => directory.replace(/\/+$/, '');

/** What a valid directory looks like, for refusals and the OpenAPI document. */
export const DIRECTORY_EXAMPLE =
  'a folder of the bucket: letters, digits and ! - _ . \' ( ) in segments joined by "/", ' +
  'e.g. "exports" or "backups/prod" (a trailing "/" is dropped)';

/**
 * Why a (normalized) directory is not acceptable, or undefined. It is a relative key prefix made of S3 safe
 * characters: no leading or trailing `/`, no empty segment, no `.` or `..` anywhere a path tool
 * could read as "up" or "here", bounded so that the full key stays within S3's limit.
 */
export function directoryProblem(directory: string): string | undefined {
  if (directory.length < 1 || directory.length > MAX_DIRECTORY_LENGTH) {
    return `must be 1 to ${MAX_DIRECTORY_LENGTH} characters long`;
  }
  if (directory.startsWith('/')) return 'must be relative: remove the leading "/"';
  if (directory.endsWith('/')) return 'must not end with "/"';
  if (directory.includes('..')) return 'must not contain ".."';
  if (`${directory}/`.startsWith(PROBE_ROOT)) return `must not be inside ${PROBE_ROOT}, which validation reserves`;
  const segments = directory.split('/');
  if (segments.some((segment) => segment === '')) return 'must not contain empty segments ("//")';
  if (segments.some((segment) => segment === '.')) return 'must not contain "." segments';
  if (segments.some((segment) => !SAFE_SEGMENT.test(segment))) {
    return 'may contain only letters, digits, "/" between segments and the characters ! - _ . \' ( )';
  }
  return undefined;
}

/** `<directory>/<clusterId>/<backupId>/`: every file and the manifest of one export live below it. */
export const backupDestinationPrefix = (directory: string, clusterId: string, backupId: string) =>
  `${directory}/${clusterId}/${backupId}/`;

export const manifestKey = (prefix: string) => `${prefix}${MANIFEST_NAME}`;

export interface JobIdentity {
  projectId: string;
  clusterId: string;
  backupId: string;
  integrationId: string;
  directory: string;
}

/**
 * The job id is a hash of what the job does, so that the same export requested twice (a duplicate
 * event, a retried request) meets a conditional put on the same key and starts nothing new.
 * JSON encoding keeps the fields apart: no two different inputs give the same hashed text.
 */
export function jobIdFor(identity: JobIdentity): string {
  const text = JSON.stringify([
    identity.projectId,
    identity.clusterId,
    identity.backupId,
    identity.integrationId,
    identity.directory,
  ]);
  return `job-${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * The source prefix as a folder: `backups/b-1` must not also match `backups/b-10/...`. An empty
 * prefix would mean "the whole platform bucket", which is never one backup: callers refuse it.
 */
export const sourceFolder = (prefix: string) => (prefix.endsWith('/') ? prefix : `${prefix}/`);

export const isUsableSourcePrefix = (prefix: string) => prefix.replace(/\/+/g, '') !== '';
