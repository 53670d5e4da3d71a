/**
 * How a refused request names what is wrong: zod's default texts ("Invalid input: expected string,
 * received undefined") become short phrases that read after the field's name ("name is required",
 * "limit must be at most 100"), and each field's description (set with `.describe()` beside its
 * rule, shown in the OpenAPI document too) says what a valid value looks like. Rules with their
 * own message keep it.
 */
import type { z } from 'zod';

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schema a wrapper (optional, nullable, default, a transform's pipe) stands for, or undefined. */
const innerOf = (schema: z.ZodType): z.ZodType | undefined => {
  const def = defOf(schema);
  return def.innerType ?? def.in;
};

/** The schema of the field at `path`, through wrappers; undefined when the request has no such field. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    while (current && defOf(current).type !== 'object' && defOf(current).type !== 'array') current = innerOf(current);
    if (!current) return undefined;
    const def = defOf(current);
    current = def.type === 'object' ? def.shape?.[String(key)] : def.element;
  }
  return current;
}

/** The fields the object at `path` takes, in their declared order. */
export function fieldsOf(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = schemaAt(schema, path);
  while (current && defOf(current).type !== 'object') current = innerOf(current);
  return Object.keys((current && defOf(current).shape) ?? {});
}

/** What a valid value of the field at `path` looks like: its description, or the fields of an object. */
export function validValueOf(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  for (let current = schemaAt(schema, path); current; current = innerOf(current)) {
    if (current.description) return current.description;
    if (defOf(current).type === 'object') return `a JSON object with the fields ${fieldsOf(current, []).join(', ')}`;
  }
  return undefined;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a JSON object',
};

type RawIssue = z.core.$ZodRawIssue;

function sizeText(
  issue: RawIssue & { minimum?: unknown; maximum?: unknown; origin?: string; inclusive?: boolean },
  bound: 'at least' | 'at most',
): string | undefined {
  const limit = bound === 'at least' ? issue.minimum : issue.maximum;
  if (issue.origin === 'string')
    return limit === 1 && bound === 'at least'
      ? 'must not be empty'
      : `must be ${bound} ${String(limit)} characters long`;
  if (issue.origin === 'array') return `must have ${bound} ${String(limit)} items`;
  if (issue.origin === 'number')
    return issue.inclusive === false
      ? `must be ${bound === 'at least' ? 'more' : 'less'} than ${String(limit)}`
      : `must be ${bound} ${String(limit)}`;
  return undefined;
}

/** The per-parse error map: phrases for zod's generic issues; undefined keeps a rule's own message. */
export function fieldIssueText() {
  return (issue: RawIssue): string | undefined => {
    switch (issue.code) {
      case 'invalid_type':
        if (issue.input === undefined) return 'is required';
        return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
      case 'too_small':
        return sizeText(issue, 'at least');
      case 'too_big':
        return sizeText(issue, 'at most');
      case 'invalid_value':
        return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
      case 'invalid_format':
        return 'is not in the expected format';
      default:
        return undefined;
    }
  };
}
