/**
 * The two key layouts of audit-log forwarding (docs/product-contract.md §5 and §6).
 *
 * Platform side (bucket AUDIT_LOG_BUCKET), written by the platform:
 *   `<clusterId>/<YYYY>/<MM>/<DD>/<HH>/<YYYYMMDD>T<HHMMSS>Z-<id>.jsonl`
 * The timestamp is the UTC second at which the platform uploads the file, in the compact ISO 8601
 * basic format (e.g. `20261124T101502Z`): fixed width and most significant digit first, so S3's
 * lexicographic key order is the files' chronological order, and a cursor key (ListObjectsV2
 * StartAfter) splits them into "delivered" and "not yet". The id breaks ties within one second.
 *
 * Customer side, under the forwarding's directory:
 *   `<directory>/<clusterId>/audit/<YYYY-MM-DD>/<HH-MM-SS>-<id>.log`
 * computed from the source key alone, so delivering the same file twice writes the same key.
 */

const SOURCE_KEY =
  /^([\w.:-]{1,128})\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([A-Za-z0-9_-]{1,128})\.jsonl$/;

export interface AuditLogFile {
  clusterId: string;
  /** When the platform wrote the file (from its key). */
  writtenAt: Date;
  id: string;
}

/** The prefix under which the platform writes one cluster's audit logs. */
export const sourcePrefix = (clusterId: string) => `${clusterId}/`;

/** The customer-side prefix of one cluster's audit logs; the session policy is narrowed to it. */
export const destinationPrefix = (directory: string, clusterId: string) => `${directory}/${clusterId}/audit/`;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function compactTimestamp(time: Date): string {
  return `${pad(time.getUTCFullYear(), 4)}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}T${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}Z`;
}

/** The key the platform writes a file under (the writer's contract; tests and the bench use it too). */
export function sourceKey(clusterId: string, writtenAt: Date, id: string): string {
  const t = writtenAt;
  const hourPath = `${pad(t.getUTCFullYear(), 4)}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;
  return `${clusterId}/${hourPath}/${compactTimestamp(t)}-${id}.jsonl`;
}

/**
 * Reads a platform key, or answers undefined when it does not follow the layout exactly: a real
 * calendar time whose date and hour folders agree with its timestamp. Anything else could sort out
 * of chronological order, so forwarding never delivers it (it logs and skips it).
 */
export function parseSourceKey(key: string, clusterId: string): AuditLogFile | undefined {
  const match = SOURCE_KEY.exec(key);
  if (!match) return undefined;
  const [, cluster, year, month, day, hour, tYear, tMonth, tDay, tHour, minute, second, id] =
    match as unknown as string[];
  if (cluster !== clusterId || year !== tYear || month !== tMonth || day !== tDay || hour !== tHour) return undefined;
  const writtenAt = new Date(
    Date.UTC(Number(tYear), Number(tMonth) - 1, Number(tDay), Number(tHour), Number(minute), Number(second)),
  );
  // Date.UTC rolls 2026-02-30 over to March: a timestamp that does not survive the round trip is no real time.
  if (
    Number.isNaN(writtenAt.getTime()) ||
    compactTimestamp(writtenAt) !== `${tYear}${tMonth}${tDay}T${tHour}${minute}${second}Z`
  ) {
    return undefined;
  }
  return { clusterId, writtenAt, id: id as string };
}

export function destinationKey(directory: string, file: AuditLogFile): string {
  const t = file.writtenAt;
  const day = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}-${pad(t.getUTCMinutes())}-${pad(t.getUTCSeconds())}`;
  return `${destinationPrefix(directory, file.clusterId)}${day}/${time}-${file.id}.log`;
}
