import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

/** One structured JSON logger and one metrics emitter for every function. */
export const logger = new Logger({ serviceName: 's3-integrations' });
export const metrics = new Metrics({ namespace: 'S3Integrations', serviceName: 's3-integrations' });

/**
 * Publishes the metrics the invocation recorded. One that recorded none publishes nothing and logs
 * nothing: Powertools' publishStoredMetrics() would log a warning for it, on every such invocation.
 */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** publishMetrics() for a middy handler, once it has returned or thrown. */
export const metricsPublished = (): MiddlewareObj => ({ after: publishMetrics, onError: publishMetrics });
