/**
 * Every function runs a handler made by the builder of its trigger: the API builders for an
 * `httpApi` event, sqsHandler for `sqs`, eventHandler for `eventBridge`, scheduleHandler for
 * `schedule`, taskHandler for a function a state machine's Task names. Each builder tags its handler
 * (shared/handler-trigger.ts); a handler written by hand has no tag, so it fails here, as does one
 * made by another trigger's builder. Every functions/<name>/handler.ts is a deployed function's.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadService, lambdaLogicalId, type FunctionSpec } from '@s3-integrations/local-runtime/service-model';
import type { Trigger } from '#shared/handler-trigger';
import { eventHandler } from '#shared/worker/worker-handlers';

const service = loadService('serverless.yml');

/** Whatever a state machine definition names with Fn::GetAtt: its Task functions among them. */
function namedByStateMachines(): Set<string> {
  const named = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const getAtt = (node as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') named.add(getAtt[0]);
    Object.values(node).forEach(walk);
  };
  service.stateMachines.forEach((machine) => walk(machine.definition));
  return named;
}

const taskFunctions = namedByStateMachines();
const triggerOfEvent: Record<string, Trigger> = {
  httpApi: 'http',
  sqs: 'sqs',
  eventBridge: 'eventBridge',
  schedule: 'schedule',
};

/** The builder's tag the function's handler must carry, from its events in serverless.yml. */
function expectedTrigger(fn: FunctionSpec): Trigger | string {
  const kinds = new Set(fn.events.flatMap((event) => Object.keys(event)));
  if (taskFunctions.has(lambdaLogicalId(fn.key))) kinds.add('stepFunctionsTask');
  const triggers = [...kinds].map((kind) => (kind === 'stepFunctionsTask' ? 'task' : triggerOfEvent[kind]));
  if (triggers.length !== 1 || !triggers[0])
    return `one trigger this test knows (events: ${[...kinds].join(', ') || 'none'})`;
  return triggers[0];
}

/** Why a function's handler is not its trigger's builder's, or undefined when it is. */
function builderProblem(fn: FunctionSpec, module: Record<string, unknown>): string | undefined {
  const expected = expectedTrigger(fn);
  const handler = module[fn.exportName];
  if (typeof handler !== 'function') return `${fn.key}: ${fn.exportName} is not a function`;
  const { trigger } = handler as { trigger?: string };
  if (trigger !== expected)
    return (
      `${fn.key}: expected a handler built for ${expected} (shared/http/api-handler.ts or ` +
      `shared/worker/worker-handlers.ts), found ${trigger ? `one built for ${trigger}` : 'no builder'}`
    );
  return undefined;
}

describe('handler builders', () => {
  it("every function's handler is built by the builder of its trigger in serverless.yml", async () => {
    const problems: string[] = [];
    for (const fn of service.functions) {
      const problem = builderProblem(fn, (await import(fn.modulePath)) as Record<string, unknown>);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
    expect(new Set(service.functions.map((fn) => expectedTrigger(fn)))).toEqual(
      new Set(['http', 'sqs', 'eventBridge', 'schedule', 'task']),
    );
  });

  it('every functions/<name>/handler.ts is the handler of a deployed function', () => {
    const deployed = new Set(service.functions.map((fn) => fn.modulePath));
    const handlers = readdirSync('functions').map((name) => resolve(join('functions', name, 'handler.ts')));
    expect(handlers.filter((path) => !deployed.has(path))).toEqual([]);
  });

  it("finds a hand-written handler, and another trigger's builder", () => {
    const queueWorker = service.functions.find((fn) => fn.events.some((event) => 'sqs' in event)) as FunctionSpec;
    const plain = { [queueWorker.exportName]: async () => ({ batchItemFailures: [] }) };
    expect(builderProblem(queueWorker, plain)).toMatch(/expected a handler built for sqs .*found no builder/);
    const wrongBuilder = { [queueWorker.exportName]: eventHandler(async () => undefined) };
    expect(builderProblem(queueWorker, wrongBuilder)).toMatch(/found one built for eventBridge/);
  });
});
