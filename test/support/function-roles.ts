/**
 * Non-root identities for tests on the stack the global setup started (the helpers themselves are
 * local/runtime/src/function-credentials.ts):
 * - actAsFunctions(['runExportJob']): this test process runs handlers as the stack runs them, as
 *   the function's role (several functions, or extra statements for where only the test sends a
 *   handler, make one role holding exactly those). Call it at the top of the file, before any
 *   handler code sends an AWS request: the SDK keeps the credentials it first reads.
 * - functionCredentials(['runValidationStage']): those credentials, for a client of the test's own.
 * - roleSession(accountId, statements): a session of a new role of any account, for a customer's
 *   own role or a stranger's.
 */
import type { PolicyStatement } from '@s3-integrations/aws-endpoint/contract';
import * as harness from '@s3-integrations/local-runtime/function-credentials';
import { localStack } from './local-stack';

export const functionCredentials = (functionKeys: string[], alsoAllow: PolicyStatement[] = []) =>
  harness.functionCredentials(localStack(), functionKeys, alsoAllow);

export const roleSession = (accountId: string, statements: PolicyStatement[]) =>
  harness.roleSession(localStack(), accountId, statements);

/** From now on, this process calls AWS as the role of these functions. */
export async function actAsFunctions(functionKeys: string[], alsoAllow: PolicyStatement[] = []): Promise<void> {
  Object.assign(process.env, harness.credentialVariables(await functionCredentials(functionKeys, alsoAllow)));
}
