/**
 * Local Step Functions: the definition file run with the local function as its Task, Retry and Catch,
 * execution names, and refusals of unknown machines and invalid input.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '#runtime/step-functions';
import { callsOf, fixtureCalls } from './fixtures/runtime/functions/calls';
import { loadFixtureRuntime, type FixtureRuntime } from './support/fixture-runtime';

const SUM_ARN = 'arn:aws:states:us-east-1:111111111111:stateMachine:fixture-sum';
let runtime: FixtureRuntime;
let stepFunctions: LocalStepFunctions;

beforeAll(async () => {
  runtime = await loadFixtureRuntime();
});

beforeEach(() => {
  fixtureCalls().length = 0;
  stepFunctions = new LocalStepFunctions(runtime.cloudFormation, runtime.functions);
});

describe('local Step Functions', () => {
  it('runs the definition file with the local function as its Task', async () => {
    const { executionArn } = await stepFunctions.startExecution(SUM_ARN, JSON.stringify({ a: 2, b: 3 }), 'sum-2-3');
    expect(executionArn).toBe('arn:aws:states:us-east-1:111111111111:execution:fixture-sum:sum-2-3');
    const execution = await stepFunctions.waitForExecution(executionArn);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: '{"sum":5}' });
    expect(await stepFunctions.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', name: 'sum-2-3' });
  });

  it('retries as the Retry field says', async () => {
    const { executionArn } = await stepFunctions.startExecution(
      SUM_ARN,
      JSON.stringify({ a: 1, b: 1, failFirst: 'retry-case' }),
    );
    expect(await stepFunctions.waitForExecution(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"sum":2}',
    });
    expect(callsOf('add')).toHaveLength(2);
  });

  it('catches a function error by its name and ends in the Fail state', async () => {
    const { executionArn } = await stepFunctions.startExecution(SUM_ARN, JSON.stringify({ a: 'one', b: 2 }));
    expect(await stepFunctions.waitForExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'Rejected',
      cause: 'The input was not two numbers.',
    });
  });

  it('refuses a second execution with the same name unless it repeats the running request', async () => {
    const input = JSON.stringify({ a: 1, b: 2, failFirst: 'slow-case' });
    const first = await stepFunctions.startExecution(SUM_ARN, input, 'only-once');
    // While it runs (it is in its 1 s retry pause), the identical request answers the same execution.
    expect(await stepFunctions.startExecution(SUM_ARN, input, 'only-once')).toEqual(first);
    await expect(
      stepFunctions.startExecution(SUM_ARN, JSON.stringify({ a: 9, b: 9 }), 'only-once'),
    ).rejects.toMatchObject({
      code: 'ExecutionAlreadyExists',
      statusCode: 400,
    });
    await stepFunctions.waitForExecution(first.executionArn);
    await expect(stepFunctions.startExecution(SUM_ARN, input, 'only-once')).rejects.toMatchObject({
      code: 'ExecutionAlreadyExists',
    });
  });

  it('refuses unknown state machines, invalid names and invalid input', async () => {
    await expect(stepFunctions.startExecution(`${SUM_ARN}-nope`, '{}')).rejects.toMatchObject({
      code: 'StateMachineDoesNotExist',
    });
    await expect(stepFunctions.startExecution(SUM_ARN, '{}', 'has space')).rejects.toMatchObject({
      code: 'InvalidName',
    });
    await expect(stepFunctions.startExecution(SUM_ARN, '{oops')).rejects.toMatchObject({
      code: 'InvalidExecutionInput',
    });
    expect(
      await stepFunctions.describeExecution(`${SUM_ARN.replace('stateMachine', 'execution')}:missing`),
    ).toBeUndefined();
  });
});
