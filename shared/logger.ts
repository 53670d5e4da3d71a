/**
 * One structured JSON logger and one metrics emitter for every function, with the middy middlewares
 * that give each invocation fresh log keys and publish the metrics it recorded.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 's3-integrations' });
export const metrics = new Metrics({ namespace: 'S3Integrations', serviceName: 's3-integrations' });

/** Ids that may go into a log line: never a credential, a token or an event's content. */
export type LogKeys = Record<string, string | number | undefined>;

/**
 * Starts a fresh set of log keys: those of an earlier invocation (or an earlier message of the
 * same batch) never leak into the next. Every line carries `lambdaRequestId`.
 */
export function startLogKeys(context: Context | undefined, keys: LogKeys = {}): void {
  logger.resetKeys();
  logger.appendKeys({ lambdaRequestId: context?.awsRequestId, ...keys });
}

/** startLogKeys() for a middy handler, with the ids `keysOf` takes from its event. */
export const invocationLogKeys = <E>(keysOf: (event: E) => LogKeys = () => ({})): MiddlewareObj<E> => ({
  before: ({ event, context }) => startLogKeys(context, keysOf(event)),
});

/**
 * Publishes the metrics the invocation recorded. One that recorded none publishes nothing and logs
 * nothing: Powertools' publishStoredMetrics() would log a warning for it, on every such invocation.
 */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** publishMetrics() for a middy handler, once it has returned or thrown. */
export const metricsPublished = (): MiddlewareObj => ({ after: publishMetrics, onError: publishMetrics });
