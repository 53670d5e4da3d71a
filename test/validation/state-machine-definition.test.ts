/**
 * The state machine definition against the code it drives: the stages run in STAGE_ORDER, every
 * stage retries only the transient error name its task throws (with backoff and jitter) and ends
 * in RecordInterruption otherwise, and what each Task passes is exactly what its handler accepts:
 * ids and, for BUCKET_REGION, the region found before. Nothing else travels between states.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interruptionInput } from '#functions/record-validation-interruption/input';
import { stageInput } from '#functions/run-validation-stage/input';
import { parseYamlFile } from '@s3-integrations/local-runtime/serverless-yaml';
import { STAGE_ORDER } from '#shared/validation/failures';
import { TransientStageError } from '#shared/validation/transient-stage-error';

type State = {
  Type: string;
  Resource?: unknown;
  Parameters?: Record<string, string>;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Variable: string; StringEquals: string; Next: string }>;
  Retry?: Array<{
    ErrorEquals: string[];
    IntervalSeconds: number;
    BackoffRate: number;
    MaxAttempts: number;
    JitterStrategy?: string;
  }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
};

const definition = parseYamlFile(
  resolve(import.meta.dirname, '../../state-machines/validate-integration.asl.yml'),
) as unknown as {
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, State>;
};
const state = (name: string): State => {
  const found = definition.States[name];
  if (!found) throw new Error(`no state ${name}`);
  return found;
};

/** What a Task's Parameters produce for an execution input (JSONPath `$.a.b` only, as the file uses). */
function resolveParameters(
  parameters: Record<string, string>,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (!key.endsWith('.$')) {
      out[key] = value;
      continue;
    }
    out[key.slice(0, -2)] = value
      .replace(/^\$\./, '')
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], input);
  }
  return out;
}

const executionInput = {
  projectId: 'proj-1',
  integrationId: 'integ-abcdefghijklmnopqrst',
  runId: 'integ-abcdefghijklmnopqrst-mwv9nh8j-c18c53da',
  mode: 'validate',
  stageResult: { outcome: 'PASSED', bucketRegion: 'us-west-2' },
  interruption: { Error: 'TransientStageError', Cause: '{"errorType":"TransientStageError"}' },
};

/** The stage Tasks in the order a run that passes everything visits them. */
function stagesInRunOrder(): Array<[string, State]> {
  const visited: Array<[string, State]> = [];
  let name: string | undefined = definition.StartAt;
  while (name) {
    const current = state(name);
    if (current.Type === 'Task') visited.push([name, current]);
    name =
      current.Type === 'Choice'
        ? current.Choices?.find((choice) => choice.StringEquals === 'PASSED')?.Next
        : current.Next;
  }
  return visited;
}

describe('validation state machine definition', () => {
  it('runs the six stages in the order of docs/product-contract.md §4, each stopping the run unless it PASSED', () => {
    const tasks = stagesInRunOrder();
    expect(tasks.map(([, task]) => task.Parameters?.stage)).toEqual([...STAGE_ORDER]);
    for (const [name, task] of tasks.slice(0, -1)) {
      const choice = state(task.Next ?? '');
      expect(choice.Type, `${name} is followed by a Choice`).toBe('Choice');
      expect(choice.Choices).toEqual([
        expect.objectContaining({ Variable: '$.stageResult.outcome', StringEquals: 'PASSED' }),
      ]);
      expect(state(choice.Default ?? '').Type).toBe('Succeed');
    }
    expect(definition.TimeoutSeconds).toBeLessThan(15 * 60); // shorter than the lock's staleness (start-validation.ts)
  });

  it(
    'retries only the transient error the tasks throw, ' +
      'with exponential backoff and full jitter, and catches the rest',
    () => {
      expect(new TransientStageError('Throttling').name).toBe('TransientStageError');
      for (const [name, task] of stagesInRunOrder()) {
        const [retry, ...others] = task.Retry ?? [];
        expect(others, name).toEqual([]);
        expect(retry?.ErrorEquals).toContain('TransientStageError');
        expect(retry?.ErrorEquals).not.toContain('States.ALL');
        expect(retry).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
        expect(retry?.MaxAttempts).toBeGreaterThanOrEqual(3);
        expect(task.Catch).toEqual([
          expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'RecordInterruption' }),
        ]);
      }
    },
  );

  it('passes each stage task exactly the input its handler accepts: ids, mode, the region for BUCKET_REGION', () => {
    for (const [name, task] of stagesInRunOrder()) {
      const passed = resolveParameters(task.Parameters ?? {}, executionInput);
      const parsed = stageInput.safeParse(passed);
      expect(parsed.success, `${name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      const expectedKeys = [
        'stage',
        'projectId',
        'integrationId',
        'runId',
        'mode',
        ...(passed.stage === 'BUCKET_REGION' ? ['bucketRegion'] : []),
      ];
      expect(Object.keys(passed).sort()).toEqual(expectedKeys.sort());
    }
  });

  it('passes RecordInterruption the ids and the error name only, never the Cause', () => {
    const task = state('RecordInterruption');
    const passed = resolveParameters(task.Parameters ?? {}, executionInput);
    const { projectId, integrationId, runId, mode } = executionInput;
    expect(passed).toEqual({ projectId, integrationId, runId, mode, error: 'TransientStageError' });
    expect(interruptionInput.safeParse(passed).success).toBe(true);
    expect(state(task.Next ?? '').Type).toBe('Succeed');
  });

  it('keeps the fixtures for `serverless invoke local` valid task inputs', () => {
    const fixture = (name: string) =>
      JSON.parse(readFileSync(resolve(import.meta.dirname, '../../events/states', name), 'utf8')) as unknown;
    expect(stageInput.safeParse(fixture('run-validation-stage.json')).success).toBe(true);
    expect(interruptionInput.safeParse(fixture('record-validation-interruption.json')).success).toBe(true);
  });
});
