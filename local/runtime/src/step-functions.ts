/**
 * The stack's state machines (serverless-step-functions' `stepFunctions.stateMachines`), run with
 * aws-local-stepfunctions. Task states that name a function (`Fn::GetAtt: [fn, Arn]`, or
 * `arn:aws:states:::lambda:invoke` with a FunctionName) call the local handler; Retry and Catch
 * behave as the library implements them. Executions are tracked for DescribeExecution.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { AwsError } from '@s3-integrations/aws-endpoint/contract';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { LocalFunctions } from '#runtime/functions';
import { isMap, type Yaml } from '#runtime/serverless-yaml';
import { stateMachineArn, type FunctionSpec } from '#runtime/service-model';

type TaskHandler = (input: unknown) => Promise<unknown>;

interface LocalStateMachine {
  name: string;
  arn: string;
  machine: StateMachine;
  taskHandlers: Record<string, TaskHandler>;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  /** Settles when the execution ends. */
  done: Promise<void>;
}

export type ExecutionDescription = Omit<ExecutionRecord, 'done'>;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

export class LocalStepFunctions {
  readonly machines = new Map<string, LocalStateMachine>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly aborts = new Map<string, () => void>();

  constructor(
    private readonly cloudFormation: LocalCloudFormation,
    private readonly functions: LocalFunctions,
  ) {
    for (const spec of cloudFormation.service.stateMachines) {
      const where = `stepFunctions.stateMachines.${spec.key}.definition`;
      // Function keys are allowed here because serverless-step-functions translates them.
      const definition = cloudFormation.resolve(spec.definition, where, { allowFunctionKeys: true });
      if (!isMap(definition)) throw new Error(`${where} must be a state machine definition.`);
      const taskHandlers: Record<string, TaskHandler> = {};
      this.collectTasks(definition, taskHandlers, where);
      let machine: StateMachine;
      try {
        machine = new StateMachine(definition as unknown as StateMachineDefinition);
      } catch (error) {
        throw new Error(
          `${where} is not a valid state machine: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      const arn = stateMachineArn(cloudFormation.service, spec);
      this.machines.set(arn, { name: spec.name, arn, machine, taskHandlers });
    }
  }

  /** The `startExecution` hook. Names follow AWS: reusing one is an error unless it is the same running request. */
  async startExecution(arn: string, input = '{}', name?: string): Promise<{ executionArn: string; startDate: Date }> {
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`, 400);
    const executionName = name ?? randomUUID();
    if (!EXECUTION_NAME.test(executionName)) throw new AwsError('InvalidName', `Invalid Name: '${executionName}'`, 400);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new AwsError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: the input is not valid JSON.',
        400,
      );
    }
    const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // AWS answers the original start for an identical request while the execution runs, and refuses anything else.
      if (existing.status === 'RUNNING' && existing.input === input)
        return { executionArn, startDate: existing.startDate };
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`, 400);
    }
    const startDate = new Date();
    const execution = machine.machine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: machine.taskHandlers as never },
      context: {
        Execution: {
          Id: executionArn,
          Input: parsedInput as never,
          Name: executionName,
          StartTime: startDate.toISOString(),
        },
        StateMachine: { Id: arn, Name: machine.name },
      },
    });
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: arn,
      name: executionName,
      status: 'RUNNING',
      input,
      startDate,
      done: Promise.resolve(),
    };
    record.done = execution.result.then(
      (output) => this.finish(record, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }),
      (error: unknown) => this.finish(record, failure(error)),
    );
    this.executions.set(executionArn, record);
    this.aborts.set(executionArn, execution.abort);
    return { executionArn, startDate };
  }

  /** The `describeExecution` hook: what DescribeExecution answers, without the internal promise. */
  async describeExecution(executionArn: string): Promise<ExecutionDescription | undefined> {
    const record = this.executions.get(executionArn);
    if (!record) return undefined;
    const { done: _done, ...description } = record;
    return description;
  }

  /** Resolves with the execution once it has ended. */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const record = this.executions.get(executionArn);
    if (!record) throw new Error(`No execution ${executionArn}.`);
    await record.done;
    const { done: _done, ...description } = record;
    return description;
  }

  close(): void {
    for (const abort of this.aborts.values()) abort();
    this.aborts.clear();
  }

  private finish(record: ExecutionRecord, outcome: Partial<ExecutionRecord>): void {
    Object.assign(record, outcome, { stopDate: new Date() });
    this.aborts.delete(record.executionArn);
    if (record.status !== 'SUCCEEDED') {
      console.error(`[local] execution ${record.executionArn} ${record.status}: ${record.error ?? ''}`);
    }
  }

  /** Maps every Task state, nested ones included, to the local function it calls. */
  private collectTasks(definition: Record<string, Yaml>, handlers: Record<string, TaskHandler>, where: string): void {
    const states = isMap(definition.States) ? definition.States : {};
    for (const [stateName, state] of Object.entries(states)) {
      if (!isMap(state)) continue;
      const here = `${where}.States.${stateName}`;
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        state.Branches.forEach(
          (branch, index) => isMap(branch) && this.collectTasks(branch, handlers, `${here}.Branches[${index}]`),
        );
      }
      const iterator = isMap(state.ItemProcessor)
        ? state.ItemProcessor
        : isMap(state.Iterator)
          ? state.Iterator
          : undefined;
      if (state.Type === 'Map' && iterator) this.collectTasks(iterator, handlers, `${here}.ItemProcessor`);
      if (state.Type !== 'Task') continue;
      // The library keys overrides by state name, across nested machines too: names must be unique.
      if (handlers[stateName])
        throw new Error(`${here}: the Task name ${stateName} is used twice; local runs need unique Task names.`);
      handlers[stateName] = this.taskHandler(state, here);
    }
  }

  private taskHandler(state: Record<string, Yaml>, where: string): TaskHandler {
    const resource = String(state.Resource ?? '');
    if (resource === LAMBDA_INVOKE) {
      const parameters = isMap(state.Parameters) ? state.Parameters : {};
      const named =
        typeof parameters.FunctionName === 'string' ? this.functions.find(parameters.FunctionName) : undefined;
      if (!named) throw new Error(`${where}: Parameters.FunctionName must name a function of this service.`);
      const fn: FunctionSpec = named;
      return async (input) => {
        const payload = isMap(input as Yaml) ? (input as { Payload?: unknown }).Payload : undefined;
        const result = await this.invoke(fn, payload ?? {});
        return {
          ExecutedVersion: '$LATEST',
          Payload: result,
          StatusCode: 200,
          SdkHttpMetadata: { HttpStatusCode: 200 },
        };
      };
    }
    if (resource.startsWith('arn:aws:lambda:')) {
      const fn = this.functions.find(resource);
      if (!fn) throw new Error(`${where}: ${resource} is not a function of this service.`);
      return (input) => this.invoke(fn, input);
    }
    throw new Error(`${where}: the Task resource ${resource} has no local equivalent; only Lambda tasks run locally.`);
  }

  /** A function error reaches the state machine as AWS reports it: named by errorType, Cause as JSON. */
  private async invoke(fn: FunctionSpec, input: unknown): Promise<unknown> {
    try {
      return await this.functions.invoke(fn, input, { trigger: 'stepFunctions' });
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      const reported = new Error(JSON.stringify({ errorType, errorMessage }));
      reported.name = errorType;
      throw reported;
    }
  }
}

function failure(error: unknown): Partial<ExecutionRecord> {
  if (error instanceof Error && error.name === 'ExecutionAbortedError') return { status: 'ABORTED' };
  if (error instanceof Error && error.name === 'ExecutionTimeoutError')
    return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const cause =
    error instanceof ExecutionError && error.cause instanceof Error
      ? error.cause
      : error instanceof Error
        ? error
        : undefined;
  return { status: 'FAILED', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(error) };
}
