/**
 * A journal of AssumeRole calls, the local stand-in for what CloudTrail shows a role's owner: who
 * asked for which role, with which session name, external ID and session policy, and whether STS
 * granted it. Tests read it through the admin route `GET /_local/sts/assume-role-calls?roleArn=...`
 * to check how the service uses customers' roles (never without a session policy, probes shaped
 * like real external IDs). It holds no credentials, and only the most recent calls.
 */
import type { PolicyDocument } from '#endpoint/contract';

export interface AssumeRoleCall {
  time: string;
  callerArn: string;
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  sessionPolicy?: PolicyDocument;
  result: 'Granted' | 'AccessDenied';
}

const MAX_CALLS = 10_000;

export interface AssumeRoleJournal {
  record(call: AssumeRoleCall): void;
  /** The calls for one role (all calls without a role ARN), oldest first. */
  calls(roleArn?: string): AssumeRoleCall[];
}

export function createAssumeRoleJournal(): AssumeRoleJournal {
  const calls: AssumeRoleCall[] = [];
  return {
    record(call) {
      calls.push(call);
      if (calls.length > MAX_CALLS) calls.splice(0, calls.length - MAX_CALLS);
    },
    calls: (roleArn) => (roleArn === undefined ? [...calls] : calls.filter((call) => call.roleArn === roleArn)),
  };
}
