/**
 * The trigger of each function (what starts it), as the builder that made its handler knows it:
 * `http` for the route builders (shared/http/api-handler.ts, public-handler.ts), the other four for
 * the worker builders (shared/worker/worker-handlers.ts). Each builder tags the handler it returns
 * (triggeredBy), and a test (test/worker/handler-builders.test.ts) matches the tag against the
 * function's events in serverless.yml: a handler written by hand carries no tag, so every function
 * stays on the builder of its own trigger.
 */

export type Trigger = 'http' | 'sqs' | 'eventBridge' | 'schedule' | 'task';

/** The handler itself, unchanged, with the trigger its builder serves. */
export const triggeredBy = <H extends object, T extends Trigger>(trigger: T, handler: H): H & { trigger: T } =>
  Object.assign(handler, { trigger });
