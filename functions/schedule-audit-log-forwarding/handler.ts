/**
 * Every minute (EventBridge schedule): one queue message per cluster with forwarding on. The
 * event's own time stamps the tick, so a retried invocation describes the same tick.
 */
import { scheduleForwardingRuns } from '#shared/forwarding/use-cases';
import { scheduleHandler } from '#shared/worker/worker-handlers';

export const handler = scheduleHandler((tick) => scheduleForwardingRuns(tick.time));
