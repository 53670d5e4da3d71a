/**
 * The metrics of confirmed deliveries, the same for every path: files and bytes written, files
 * found already there, and the delivery latency of each file (landed in the platform's bucket to
 * confirmed in the customer's; the landing time has whole seconds, so it reads up to a second
 * long). Files a reconciliation had to deliver are counted apart: each is an event that never came.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '#shared/logger';
import type { DeliveryPath } from '#shared/forwarding/delivery/delivery-ledger';
import type { DeliveredFile } from '#shared/forwarding/delivery/file-delivery';

export function recordDeliveryMetrics(delivered: DeliveredFile[], via: DeliveryPath | 'reconciliation'): void {
  if (delivered.length === 0) return;
  const written = delivered.filter((file) => file.outcome === 'written');
  metrics.addMetric('AuditLogFilesDelivered', MetricUnit.Count, written.length);
  metrics.addMetric(
    'AuditLogBytesDelivered',
    MetricUnit.Bytes,
    written.reduce((sum, file) => sum + file.size, 0),
  );
  metrics.addMetric('AuditLogFilesAlreadyPresent', MetricUnit.Count, delivered.length - written.length);
  if (via === 'reconciliation')
    metrics.addMetric('AuditLogFilesFoundByReconciliation', MetricUnit.Count, delivered.length);
  // A replay delivers old files again on purpose: their age is no delivery latency.
  if (via === 'replay') return;
  for (const file of written) {
    metrics.addMetric(
      'AuditLogDeliveryLatency',
      MetricUnit.Milliseconds,
      Math.max(0, file.confirmedAt.getTime() - file.landedAt.getTime()),
    );
  }
}
