import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One structured JSON logger and one metrics emitter for every function. */
export const logger = new Logger({ serviceName: 's3-integrations' });
export const metrics = new Metrics({ namespace: 'S3Integrations', serviceName: 's3-integrations' });
