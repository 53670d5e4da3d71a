/**
 * Step Functions over JSON 1.0 (`X-Amz-Target: AWSStepFunctions.<Operation>`): StartExecution
 * and DescribeExecution, which the local runtime implements through hooks. The caller needs
 * `states:StartExecution` on the state machine ARN, `states:DescribeExecution` on the execution
 * ARN. Errors the hooks raise (e.g. ExecutionAlreadyExists) are answered as AWS would.
 */
import { AwsError, type Authorize, type PlatformHooks, type ServiceHandler } from '#endpoint/contract';
import { jsonOperation, optionalString, parseJsonBody, requiredString, sendJsonResult } from '#endpoint/protocols';

const STATE_MACHINE_ARN = /^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/;
const EXECUTION_ARN = /^(arn:aws:states:[a-z0-9-]+:\d{12}):execution:([\w-]{1,80}):([\w-]{1,80})$/;
const EXECUTION_NAME = /^[\w-]{1,80}$/;
const MAX_INPUT_BYTES = 256 * 1024;

export function createStatesService(deps: { authorize: Authorize; hooks: PlatformHooks }): ServiceHandler {
  return async (request, response) => {
    const operation = jsonOperation(request.raw.headers['x-amz-target'], 'AWSStepFunctions');
    const input = parseJsonBody(await request.readBody());
    if (operation === 'StartExecution') {
      const stateMachineArn = requiredString(input, 'stateMachineArn');
      if (!STATE_MACHINE_ARN.test(stateMachineArn))
        throw new AwsError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`, 400);
      const name = optionalString(input, 'name');
      if (name !== undefined && !EXECUTION_NAME.test(name))
        throw new AwsError('InvalidName', `Invalid Name: '${name}'`, 400);
      const executionInput = optionalString(input, 'input') ?? '{}';
      if (Buffer.byteLength(executionInput) > MAX_INPUT_BYTES)
        throw new AwsError('InvalidExecutionInput', 'Execution input exceeds 256 KB.', 400);
      try {
        JSON.parse(executionInput);
      } catch {
        throw new AwsError(
          'InvalidExecutionInput',
          'Invalid State Machine Execution Input: the input is not valid JSON.',
          400,
        );
      }
      deps.authorize(request.caller, { action: 'states:StartExecution', resource: stateMachineArn });
      const started = await deps.hooks.startExecution(stateMachineArn, executionInput, name);
      sendJsonResult(response, 'json-1.0', {
        executionArn: started.executionArn,
        startDate: started.startDate.getTime() / 1000,
      });
      return;
    }
    if (operation === 'DescribeExecution') {
      const executionArn = requiredString(input, 'executionArn');
      const parts = EXECUTION_ARN.exec(executionArn);
      if (!parts) throw new AwsError('InvalidArn', `Invalid Arn: '${executionArn}'`, 400);
      deps.authorize(request.caller, { action: 'states:DescribeExecution', resource: executionArn });
      const execution = await deps.hooks.describeExecution(executionArn);
      if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`, 400);
      sendJsonResult(response, 'json-1.0', {
        executionArn,
        stateMachineArn: `${parts[1]}:stateMachine:${parts[2]}`,
        name: parts[3],
        status: execution.status,
        output: execution.output,
      });
      return;
    }
    throw new AwsError(
      'UnknownOperationException',
      'Only StartExecution and DescribeExecution are supported by the local endpoint.',
      400,
    );
  };
}
