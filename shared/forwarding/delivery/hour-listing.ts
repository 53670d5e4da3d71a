/**
 * The files of one hour folder that forwarding owes the customer and the ledger does not hold:
 * in the layout, landed after forwarding was turned on and before `landedBefore` (epoch ms), in
 * key order. One listing finds every file of the hour, however late or out of order it was
 * uploaded. Keys off the layout are skipped here without a word: their event counted them.
 */
import { parseSourceKey } from '#shared/forwarding/audit-log-keys';
import type { PlatformAuditLogFile } from '#shared/forwarding/delivery/file-delivery';
import { landedBeforeEnablement, type Forwarding } from '#shared/forwarding/forwarding';
import { listHour } from '#shared/forwarding/platform-audit-logs';

export async function missingFilesOfHour(
  forwarding: Pick<Forwarding, 'clusterId' | 'enabledAt'>,
  hour: Date,
  delivered: ReadonlySet<string>,
  landedBefore: number,
): Promise<PlatformAuditLogFile[]> {
  const files: PlatformAuditLogFile[] = [];
  for (const listed of await listHour(forwarding.clusterId, hour)) {
    if (delivered.has(listed.key)) continue;
    const file = parseSourceKey(listed.key, forwarding.clusterId);
    if (
      !file ||
      landedBeforeEnablement(listed.lastModified, forwarding) ||
      listed.lastModified.getTime() >= landedBefore
    )
      continue;
    files.push({ key: listed.key, file });
  }
  return files;
}
