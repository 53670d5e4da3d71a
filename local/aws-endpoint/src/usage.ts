/**
 * How many requests the endpoint served, per caller and action, since the last reset: what a
 * bench needs to state the AWS requests a code path makes per unit of work (e.g. per delivered
 * file), the way a CloudTrail or billing report would count them in AWS. Counted after the
 * signature is verified, so a refused signature counts nothing; a request refused by a policy
 * counts (AWS bills it too). Callers are named by ARN: a role session as
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>`, root as `arn:aws:iam::<account>:root`.
 */

export interface UsageReport {
  /** Requests by caller ARN, then by action (`s3:PutObject`, `sqs:SendMessageBatch`, ...). */
  requests: Record<string, Record<string, number>>;
  since: string;
}

export interface UsageTally {
  count(callerArn: string, action: string): void;
  report(): UsageReport;
  reset(): void;
}

export function createUsageTally(now: () => number = Date.now): UsageTally {
  let requests = new Map<string, Map<string, number>>();
  let since = now();
  return {
    count(callerArn, action) {
      let byAction = requests.get(callerArn);
      if (!byAction) requests.set(callerArn, (byAction = new Map()));
      byAction.set(action, (byAction.get(action) ?? 0) + 1);
    },
    report() {
      const byCaller = [...requests].map(([caller, actions]) => [caller, Object.fromEntries(actions)] as const);
      return { requests: Object.fromEntries(byCaller), since: new Date(since).toISOString() };
    },
    reset() {
      requests = new Map();
      since = now();
    },
  };
}
