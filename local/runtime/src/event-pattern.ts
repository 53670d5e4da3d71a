/**
 * EventBridge event-pattern matching: exact values, prefix/suffix, equals-ignore-case, wildcard,
 * anything-but, exists, numeric ranges and `$or`. Patterns are checked when the stack starts, so a
 * pattern EventBridge would reject (a bare value instead of a list, an unknown operator) fails
 * here too instead of silently matching nothing.
 */

type Json = unknown;

export function validatePattern(pattern: Json, where: string): void {
  if (!isObject(pattern) || Object.keys(pattern).length === 0)
    throw new Error(`${where}: an event pattern is a non-empty object.`);
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2)
        throw new Error(`${where}.$or needs a list of at least two patterns.`);
      value.forEach((item, index) => validatePattern(item, `${where}.$or[${index}]`));
    } else if (Array.isArray(value)) {
      if (value.length === 0)
        throw new Error(`${where}.${key}: an empty list matches nothing; EventBridge rejects it.`);
      value.forEach((matcher) => validateMatcher(matcher, `${where}.${key}`));
    } else if (isObject(value)) {
      validatePattern(value, `${where}.${key}`);
    } else {
      throw new Error(`${where}.${key}: EventBridge needs a list of values here, e.g. [${JSON.stringify(value)}].`);
    }
  }
}

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'exists', 'numeric']);

function validateMatcher(matcher: Json, where: string): void {
  if (!isObject(matcher)) return;
  const [operator, ...rest] = Object.keys(matcher);
  if (!operator || rest.length > 0 || !OPERATORS.has(operator)) {
    throw new Error(
      `${where}: ${JSON.stringify(matcher)} is not a matcher the local EventBridge knows ` +
        `(${[...OPERATORS].join(', ')}).`,
    );
  }
  if (operator === 'numeric') numericChecks(matcher.numeric, where);
}

/** True when the event matches the pattern, as EventBridge decides it. */
export function matchesPattern(pattern: Record<string, Json>, event: Json): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as Array<Record<string, Json>>).some((branch) => matchesPattern(branch, event));
    const actual = event[key];
    if (Array.isArray(expected)) return matchesField(expected, actual);
    return isObject(expected) && matchesPattern(expected, actual);
  });
}

function matchesField(matchers: Json[], actual: Json): boolean {
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      const present = actual !== undefined && !isObject(actual);
      return matcher.exists === present;
    }
    if (actual === undefined) return false;
    // A list in the event matches when any of its elements does.
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((value) => matchesValue(matcher, value));
  });
}

function matchesValue(matcher: Json, value: Json): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator = '', operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return isObject(operand)
        ? typeof value === 'string' &&
            value.toLowerCase().startsWith(String(operand['equals-ignore-case']).toLowerCase())
        : typeof value === 'string' && value.startsWith(String(operand));
    case 'suffix':
      return isObject(operand)
        ? typeof value === 'string' && value.toLowerCase().endsWith(String(operand['equals-ignore-case']).toLowerCase())
        : typeof value === 'string' && value.endsWith(String(operand));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(operand).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(String(operand)).test(value);
    case 'anything-but':
      return !anythingButExcludes(operand, value);
    case 'numeric':
      return (
        typeof value === 'number' &&
        numericChecks(operand, 'pattern').every(([compare, bound]) => compare(value, bound))
      );
    default:
      return false;
  }
}

function anythingButExcludes(operand: Json, value: Json): boolean {
  if (Array.isArray(operand)) return operand.some((excluded) => excluded === value);
  if (isObject(operand)) return matchesValue(operand, value);
  return operand === value;
}

type Comparison = [(value: number, bound: number) => boolean, number];

const COMPARATORS: Record<string, (value: number, bound: number) => boolean> = {
  '=': (value, bound) => value === bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
};

function numericChecks(operand: Json, where: string): Comparison[] {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new Error(`${where}: numeric needs operator/number pairs, e.g. [">", 0, "<=", 5].`);
  }
  const checks: Comparison[] = [];
  for (let index = 0; index < operand.length; index += 2) {
    const compare = COMPARATORS[String(operand[index])];
    const bound = operand[index + 1];
    if (!compare || typeof bound !== 'number')
      throw new Error(`${where}: numeric operator ${String(operand[index])} or bound ${String(bound)} is invalid.`);
    checks.push([compare, bound]);
  }
  return checks;
}

function wildcardRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
