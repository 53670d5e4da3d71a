/**
 * An independent IAM evaluator for the differential test of local/aws-endpoint/src/policy/, written from AWS's
 * documentation ("Policy evaluation logic", "IAM JSON policy elements: Resource", "Condition
 * operators", "Single-valued vs. multivalued context keys") rather than from the emulator's code:
 * matching is a backtracking glob instead of regular expressions, and each rule is spelled out as
 * the documentation states it. It serves the test only; it is deliberately simple and slow.
 */
import type { PolicyDocument, PolicyStatement } from '#endpoint/contract';

export type Outcome =
  'allow' | 'identity-explicit-deny' | 'session-explicit-deny' | 'identity-implicit-deny' | 'session-implicit-deny';

export interface ReferenceRequest {
  action: string;
  resource: string;
  /** Already including the global keys the caller brings. */
  context: Record<string, string[]>;
}

/**
 * "Policy evaluation logic": every applicable policy is searched for an explicit Deny first
 * (identity-based, then session, as AWS reports them); then identity-based policies must allow;
 * then the session policy, when there is one, must allow too.
 */
export function referenceOutcome(
  identity: PolicyDocument[],
  session: PolicyDocument | undefined,
  request: ReferenceRequest,
): Outcome {
  const statements = (policies: PolicyDocument[]) =>
    policies.flatMap((policy) => (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]));
  const identityStatements = statements(identity).filter((statement) => applies(statement, request));
  const sessionStatements = session ? statements([session]).filter((statement) => applies(statement, request)) : [];
  if (identityStatements.some((statement) => statement.Effect === 'Deny')) return 'identity-explicit-deny';
  if (sessionStatements.some((statement) => statement.Effect === 'Deny')) return 'session-explicit-deny';
  if (!identityStatements.some((statement) => statement.Effect === 'Allow')) return 'identity-implicit-deny';
  if (session && !sessionStatements.some((statement) => statement.Effect === 'Allow')) return 'session-implicit-deny';
  return 'allow';
}

function applies(statement: PolicyStatement, request: ReferenceRequest): boolean {
  const list = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  const actionMatches = (pattern: string) => glob(pattern.toLowerCase(), request.action.toLowerCase());
  const action =
    statement.Action !== undefined
      ? list(statement.Action).some(actionMatches)
      : !list(statement.NotAction).some(actionMatches);
  const resourceMatches = (pattern: string) => resourceGlob(pattern, request.resource);
  const resource =
    statement.Resource !== undefined
      ? list(statement.Resource).some(resourceMatches)
      : !list(statement.NotResource).some(resourceMatches);
  return action && resource && conditionsHold(statement.Condition ?? {}, request.context);
}

/**
 * Resource ARNs: wildcards work within each colon-separated segment; "if the * wildcard is the
 * last character of a resource ARN segment, it can expand to match beyond the colon boundaries".
 * An ARN has six segments, the last (resource) keeping its own colons.
 */
function resourceGlob(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const arnSegments = arn.split(':');
  const resourceSegments = [...arnSegments.slice(0, 5), arnSegments.slice(5).join(':')];
  const patternSegments = pattern.split(':');
  if (patternSegments.length >= 6) {
    const patternSix = [...patternSegments.slice(0, 5), patternSegments.slice(5).join(':')];
    return patternSix.every((segment, index) => glob(segment, resourceSegments[index] ?? ''));
  }
  for (let index = 0; index < patternSegments.length; index += 1) {
    const segment = patternSegments[index] ?? '';
    const isLast = index === patternSegments.length - 1;
    if (!isLast) {
      if (!glob(segment, resourceSegments[index] ?? '')) return false;
      continue;
    }
    if (!segment.endsWith('*')) return false; // fewer than six segments and nothing to expand
    return glob(segment, resourceSegments.slice(index).join(':'));
  }
  return false;
}

/** `*` any run of characters, `?` exactly one; every other character literal. Backtracking. */
function glob(pattern: string, text: string): boolean {
  const match = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === text.length;
    const char = pattern[p] as string;
    if (char === '*') {
      for (let skip = t; skip <= text.length; skip += 1) if (match(p + 1, skip)) return true;
      return false;
    }
    if (t === text.length) return false;
    return (char === '?' || char === text[t]) && match(p + 1, t + 1);
  };
  return match(0, 0);
}

type Test = (contextValue: string, policyValue: string) => boolean;

const number = (text: string) => (text.trim() === '' ? NaN : Number(text));
const date = (text: string) => (/^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text));
const compare =
  (parse: (text: string) => number, ok: (a: number, b: number) => boolean): Test =>
  (a, b) => {
    const left = parse(a);
    const right = parse(b);
    return !Number.isNaN(left) && !Number.isNaN(right) && ok(left, right);
  };

/** The documented condition operators: [test, whether the operator is a negation]. */
const OPERATORS: Record<string, [Test, boolean]> = {
  StringEquals: [(a, b) => a === b, false],
  StringNotEquals: [(a, b) => a === b, true],
  StringEqualsIgnoreCase: [(a, b) => a.toLowerCase() === b.toLowerCase(), false],
  StringNotEqualsIgnoreCase: [(a, b) => a.toLowerCase() === b.toLowerCase(), true],
  StringLike: [(a, b) => glob(b, a), false],
  StringNotLike: [(a, b) => glob(b, a), true],
  ArnLike: [(a, b) => arnLike(b, a), false],
  ArnNotLike: [(a, b) => arnLike(b, a), true],
  ArnEquals: [(a, b) => arnLike(b, a), false],
  ArnNotEquals: [(a, b) => arnLike(b, a), true],
  Bool: [(a, b) => a.toLowerCase() === b.toLowerCase(), false],
  NumericEquals: [compare(number, (a, b) => a === b), false],
  NumericNotEquals: [compare(number, (a, b) => a === b), true],
  NumericLessThan: [compare(number, (a, b) => a < b), false],
  NumericLessThanEquals: [compare(number, (a, b) => a <= b), false],
  NumericGreaterThan: [compare(number, (a, b) => a > b), false],
  NumericGreaterThanEquals: [compare(number, (a, b) => a >= b), false],
  DateEquals: [compare(date, (a, b) => a === b), false],
  DateNotEquals: [compare(date, (a, b) => a === b), true],
  DateLessThan: [compare(date, (a, b) => a < b), false],
  DateLessThanEquals: [compare(date, (a, b) => a <= b), false],
  DateGreaterThan: [compare(date, (a, b) => a > b), false],
  DateGreaterThanEquals: [compare(date, (a, b) => a >= b), false],
};

/** ArnLike: "each of the six colon-delimited components of the ARN is checked separately". */
function arnLike(pattern: string, arn: string): boolean {
  const six = (text: string) => {
    const parts = text.split(':');
    return parts.length < 6 || parts[0] !== 'arn' ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const patternParts = six(pattern);
  const arnParts = six(arn);
  if (!patternParts || !arnParts) return false;
  return patternParts.every((part, index) => glob(part, arnParts[index] ?? ''));
}

/**
 * Condition blocks: every operator and every key must hold; the policy values of one key are
 * alternatives. A missing key makes a condition false, except for negated operators (true),
 * `...IfExists` (true) and `Null`. `ForAllValues` holds for a missing or empty key and needs every
 * context value to match; `ForAnyValue` needs one.
 */
function conditionsHold(block: NonNullable<PolicyStatement['Condition']>, context: Record<string, string[]>): boolean {
  const valuesOf = (key: string) =>
    Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
  return Object.entries(block).every(([operatorName, keys]) =>
    Object.entries(keys).every(([key, raw]) => {
      const policyValues = (Array.isArray(raw) ? raw : [raw]).map(String);
      const contextValues = valuesOf(key) ?? [];
      let name = operatorName;
      let set: 'any' | 'all' | undefined;
      if (name.startsWith('ForAnyValue:')) [set, name] = ['any', name.slice('ForAnyValue:'.length)];
      else if (name.startsWith('ForAllValues:')) [set, name] = ['all', name.slice('ForAllValues:'.length)];
      if (name === 'Null')
        return policyValues.some((value) => value.toLowerCase() === String(contextValues.length === 0));
      const ifExists = name.endsWith('IfExists');
      const [test, negated] = OPERATORS[ifExists ? name.slice(0, -'IfExists'.length) : name] ?? [() => false, false];
      const valueHolds = (value: string) => policyValues.some((policyValue) => test(value, policyValue)) !== negated;
      if (set === 'all') return contextValues.every(valueHolds);
      if (set === 'any') return contextValues.some(valueHolds);
      if (contextValues.length === 0) return ifExists || negated;
      const anyMatch = contextValues.some((value) => policyValues.some((policyValue) => test(value, policyValue)));
      return anyMatch !== negated;
    }),
  );
}
