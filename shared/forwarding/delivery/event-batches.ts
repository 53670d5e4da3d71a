/**
 * The event path's entry (deliverAuditLogs): each SQS message is one S3 event, handled on its own
 * by the worker builder, but a cluster's files are cheaper and better ordered delivered together
 * (one read of its forwarding, ownership and integration; oldest first). So the events handed over
 * in the same turn of the event loop (a batch's messages run side by side) are grouped by cluster,
 * each group delivered once (event-delivery.ts), and each message's promise settles with its
 * group: an error of ours fails the group's messages (SQS delivers them again), and nothing else.
 */
import { announcedFileOf, type AuditLogEvent } from '#shared/forwarding/audit-log-events';
import { clusterOfSourceKey } from '#shared/forwarding/audit-log-keys';
import { deliverClusterEvents, type AnnouncedFile } from '#shared/forwarding/delivery/event-delivery';

interface Waiting {
  file: AnnouncedFile;
  settle: (error?: unknown) => void;
}

let gathering: Map<string, Waiting[]> | undefined;

export function deliverAnnouncedFile(event: AuditLogEvent): Promise<void> {
  const file = announcedFileOf(event);
  if (!file) return Promise.resolve(); // another bucket or account
  const clusterId = clusterOfSourceKey(file.key);
  if (!clusterId) return Promise.resolve(); // not in any cluster's folder: nothing of forwarding's
  return new Promise((resolve, reject) => {
    if (!gathering) {
      gathering = new Map();
      setImmediate(deliverGathered);
    }
    const group = gathering.get(clusterId) ?? [];
    group.push({ file, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    gathering.set(clusterId, group);
  });
}

function deliverGathered(): void {
  const groups = gathering ?? new Map<string, Waiting[]>();
  gathering = undefined;
  for (const [clusterId, waiting] of groups) {
    deliverClusterEvents(
      clusterId,
      waiting.map((entry) => entry.file),
    ).then(
      () => waiting.forEach((entry) => entry.settle()),
      (error: unknown) => waiting.forEach((entry) => entry.settle(error ?? new Error('delivery failed'))),
    );
  }
}
