/**
 * Condition blocks of IAM policies: `{ "<Operator>": { "<key>": value | [values] } }`, every
 * operator and every key must hold (AND); the values listed for one key are alternatives (OR).
 *
 * Supported operators: String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike},
 * Arn{Equals,NotEquals,Like,NotLike}, Bool, Null, Numeric{Equals,NotEquals,LessThan,
 * LessThanEquals,GreaterThan,GreaterThanEquals}, Date{...same...}, each with `IfExists`, and the
 * `ForAnyValue:` / `ForAllValues:` set prefixes. Not supported (rejected when a policy is
 * stored): IpAddress, BinaryEquals and policy variables such as `${aws:username}`.
 */
import { matchesArn, matchesWildcard } from '#endpoint/policy/wildcard';

/** Request context: condition key (lower-cased) -> its values. A missing key is absent. */
export type ConditionContext = Map<string, string[]>;

interface BaseOperator {
  /** Does one context value satisfy one policy value (before any negation)? */
  test(contextValue: string, policyValue: string): boolean;
  negated: boolean;
}

const equalsIgnoreCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const numeric = (compare: (a: number, b: number) => boolean) => (a: string, b: string) => {
  const left = Number(a);
  const right = Number(b);
  return a.trim() !== '' && b.trim() !== '' && !Number.isNaN(left) && !Number.isNaN(right) && compare(left, right);
};
const date = (compare: (a: number, b: number) => boolean) => (a: string, b: string) => {
  const left = parseDate(a);
  const right = parseDate(b);
  return left !== undefined && right !== undefined && compare(left, right);
};

const OPERATORS: Record<string, BaseOperator> = {
  stringequals: { test: (a, b) => a === b, negated: false },
  stringnotequals: { test: (a, b) => a === b, negated: true },
  stringequalsignorecase: { test: equalsIgnoreCase, negated: false },
  stringnotequalsignorecase: { test: equalsIgnoreCase, negated: true },
  stringlike: { test: (a, b) => matchesWildcard(b, a), negated: false },
  stringnotlike: { test: (a, b) => matchesWildcard(b, a), negated: true },
  arnequals: { test: (a, b) => matchesArn(b, a), negated: false },
  arnlike: { test: (a, b) => matchesArn(b, a), negated: false },
  arnnotequals: { test: (a, b) => matchesArn(b, a), negated: true },
  arnnotlike: { test: (a, b) => matchesArn(b, a), negated: true },
  bool: { test: equalsIgnoreCase, negated: false },
  numericequals: { test: numeric((a, b) => a === b), negated: false },
  numericnotequals: { test: numeric((a, b) => a === b), negated: true },
  numericlessthan: { test: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { test: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { test: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { test: numeric((a, b) => a >= b), negated: false },
  dateequals: { test: date((a, b) => a === b), negated: false },
  datenotequals: { test: date((a, b) => a === b), negated: true },
  datelessthan: { test: date((a, b) => a < b), negated: false },
  datelessthanequals: { test: date((a, b) => a <= b), negated: false },
  dategreaterthan: { test: date((a, b) => a > b), negated: false },
  dategreaterthanequals: { test: date((a, b) => a >= b), negated: false },
};

interface ParsedOperator {
  setOperator?: 'foranyvalue' | 'forallvalues';
  ifExists: boolean;
  name: string; // lower-cased base name, or 'null'
}

/** Parses `ForAllValues:StringLikeIfExists` into its parts; undefined when not supported. */
export function parseConditionOperator(operator: string): ParsedOperator | undefined {
  let name = operator.toLowerCase();
  let setOperator: ParsedOperator['setOperator'];
  for (const prefix of ['foranyvalue', 'forallvalues'] as const) {
    if (name.startsWith(`${prefix}:`)) {
      setOperator = prefix;
      name = name.slice(prefix.length + 1);
    }
  }
  if (name === 'null') return setOperator ? undefined : { ifExists: false, name };
  const ifExists = name.endsWith('ifexists');
  if (ifExists) name = name.slice(0, -'ifexists'.length);
  // Own properties only: an operator named `constructor` is no operator, whatever Object.prototype holds.
  return Object.hasOwn(OPERATORS, name) ? { setOperator, ifExists, name } : undefined;
}

export function isSupportedConditionOperator(operator: string): boolean {
  return parseConditionOperator(operator) !== undefined;
}

type PolicyConditionValue = string | string[] | boolean | boolean[] | number;

/** True when every operator/key pair of the block holds for the context. */
export function conditionsHold(
  block: Record<string, Record<string, PolicyConditionValue>> | undefined,
  context: ConditionContext,
): boolean {
  if (!block) return true;
  return Object.entries(block).every(([operator, keys]) => {
    const parsed = parseConditionOperator(operator);
    // Stored policies are validated, so this only guards documents built in code: fail closed.
    if (!parsed) return false;
    return Object.entries(keys).every(([key, value]) =>
      keyHolds(parsed, context.get(key.toLowerCase()), toStrings(value)),
    );
  });
}

function keyHolds(operator: ParsedOperator, contextValues: string[] | undefined, policyValues: string[]): boolean {
  const present = contextValues !== undefined && contextValues.length > 0;
  if (operator.name === 'null') {
    // "Null": true means "the key must be absent", false means "the key must be present".
    return policyValues.some((value) => value.toLowerCase() === String(!present));
  }
  const base = Object.hasOwn(OPERATORS, operator.name) ? OPERATORS[operator.name] : undefined;
  if (!base) return false;
  const satisfies = (contextValue: string) => {
    const matched = policyValues.some((policyValue) => base.test(contextValue, policyValue));
    return base.negated ? !matched : matched;
  };
  if (operator.setOperator === 'forallvalues') return !present || contextValues.every(satisfies);
  if (operator.setOperator === 'foranyvalue') return present && contextValues.some(satisfies);
  if (!present) return operator.ifExists || base.negated;
  // Single-valued operators over a multi-valued key: a positive operator needs one match, a
  // negated one needs every value to stay clear of the listed values.
  return base.negated ? contextValues.every(satisfies) : contextValues.some(satisfies);
}

function toStrings(value: PolicyConditionValue): string[] {
  return (Array.isArray(value) ? value : [value]).map((item) => String(item));
}

function parseDate(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000; // epoch seconds
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
