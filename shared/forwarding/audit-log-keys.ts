/**
 * The key layouts of audit-log forwarding (docs/product-contract.md §5 and §6).
 *
 * Platform side (bucket AUDIT_LOG_BUCKET), written by the platform:
 *   `<clusterId>/<YYYY>/<MM>/<DD>/<HH>/<YYYYMMDD>T<HHMMSS>Z-<id>.jsonl`
 * The timestamp is the UTC second at which the platform wrote the file, in the compact ISO 8601
 * basic format (e.g. `20261124T101502Z`); the hour folders name the same hour, so one listing of
 * an hour folder finds every file of that hour whenever it was uploaded. The id breaks ties.
 *
 * Customer side, under the forwarding's directory:
 *   `<directory>/<clusterId>/audit/<YYYY-MM-DD>/<HH-MM-SS>-<id>.log` (`.log.gz` with gzip)
 *   `<directory>/<clusterId>/audit/digests/<YYYY-MM-DD>/<HH>.json` (the hourly signed digests)
 * computed from the platform key alone, so delivering the same file twice names the same key.
 */

const SOURCE_KEY = new RegExp(
  /^([\w.:-]{1,128})\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.source +
    /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([A-Za-z0-9_-]{1,128})\.jsonl$/.source,
);

export const HOUR_MS = 3_600_000;

export type Compression = 'none' | 'gzip';

export interface AuditLogFile {
  clusterId: string;
  /** When the platform wrote the file (from its key). */
  writtenAt: Date;
  id: string;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The start of the UTC hour a time falls in. */
export const hourStart = (time: number | Date) => new Date(Math.floor(new Date(time).getTime() / HOUR_MS) * HOUR_MS);

/** `YYYYMMDDHH` of an hour: how the delivery ledger names it. */
export const hourLabel = (time: number | Date) => hourStart(time).toISOString().slice(0, 13).replace(/[-T]/g, '');

/** The prefix under which the platform writes one cluster's audit logs. */
export const sourcePrefix = (clusterId: string) => `${clusterId}/`;

/** The platform folder of one cluster's files of one hour. */
export function sourceHourPrefix(clusterId: string, hour: Date): string {
  const t = hourStart(hour);
  return (
    `${clusterId}/${pad(t.getUTCFullYear(), 4)}/${pad(t.getUTCMonth() + 1)}/` +
    `${pad(t.getUTCDate())}/${pad(t.getUTCHours())}/`
  );
}

function compactTimestamp(time: Date): string {
  return (
    `${pad(time.getUTCFullYear(), 4)}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}` +
    `T${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}Z`
  );
}

/** The key the platform writes a file under (the writer's contract; tests and the bench use it too). */
export function sourceKey(clusterId: string, writtenAt: Date, id: string): string {
  return `${sourceHourPrefix(clusterId, writtenAt)}${compactTimestamp(writtenAt)}-${id}.jsonl`;
}

/**
 * Reads a platform key, or answers undefined when it does not follow the layout exactly: a real
 * calendar time whose date and hour folders agree with its timestamp. Anything else is not an
 * audit-log file of this cluster, so forwarding never delivers it (it logs and skips it).
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

/** The cluster a platform key names (its first folder), before any other check. */
export const clusterOfSourceKey = (key: string) => key.slice(0, Math.max(0, key.indexOf('/')));

/**
 * The customer-side folder of one cluster's audit logs (named apart from the export side's
 * destination prefix); every forwarding session is narrowed to it.
 */
export const auditLogFolder = (directory: string, clusterId: string) => `${directory}/${clusterId}/audit/`;

/** Where one file lands in the customer's bucket. */
export function forwardedKey(directory: string, file: AuditLogFile, compression: Compression = 'none'): string {
  const t = file.writtenAt;
  const day = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}-${pad(t.getUTCMinutes())}-${pad(t.getUTCSeconds())}`;
  return (
    `${auditLogFolder(directory, file.clusterId)}${day}/` +
    `${time}-${file.id}.log${compression === 'gzip' ? '.gz' : ''}`
  );
}

/** The customer-side key of the digest of one hour, under a forwarding's audit-log folder. */
export function digestKey(folder: string, hour: Date): string {
  const iso = hourStart(hour).toISOString();
  return `${folder}digests/${iso.slice(0, 10)}/${iso.slice(11, 13)}.json`;
}

/** Reads a digest key back into its hour, or undefined when the key is not one. */
export function digestHourOf(folder: string, key: string): Date | undefined {
  if (!key.startsWith(`${folder}digests/`)) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})\/(\d{2})\.json$/.exec(key.slice(folder.length + 'digests/'.length));
  if (!match) return undefined;
  const hour = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:00:00Z`);
  return Number.isNaN(hour.getTime()) || digestKey(folder, hour) !== key ? undefined : hour;
}

const FORWARDED_KEY = /^(\d{4}-\d{2}-\d{2})\/(\d{2})-(\d{2})-(\d{2})-([A-Za-z0-9_-]{1,128})\.log(\.gz)?$/;

/** Whether a customer-side key under the folder has the layout of a forwarded audit-log file. */
export function isForwardedKey(folder: string, key: string): boolean {
  return key.startsWith(folder) && FORWARDED_KEY.test(key.slice(folder.length));
}
