/**
 * Reads serverless.yml the way the Serverless Framework does, for local use: YAML with the
 * CloudFormation short tags kept as their long-form objects (`!Ref X` -> `{Ref: 'X'}`), then the
 * framework's own `${...}` variables resolved. serverless.yml stays the one source of truth:
 * the local runtime never keeps its own copy of routes, rules or environment.
 *
 * Supported variable sources: self, opt, sls, param, env, aws (account id and region), file.
 * Anything else (ssm, cf, s3, ...) has no local meaning, so it fails loudly instead of guessing.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, type Tags } from 'yaml';

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

export interface ResolveOptions {
  /** `--stage`; absent means the file's own `${opt:stage, ...}` fallback decides. */
  stage?: string;
  region?: string;
  accountId: string;
}

const INTRINSICS = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'If',
  'Select',
  'Split',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'Base64',
  'GetAZs',
  'ImportValue',
  'Condition',
  'Cidr',
];

/** Short-form CloudFormation tags on scalars, sequences and mappings. */
const cloudFormationTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    {
      tag: `!${name}`,
      // `!GetAtt Resource.Attribute` is the one short form whose scalar means a list.
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? splitGetAtt(value) : value }),
    },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: 'map' as const,
      resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
    },
  ];
});

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

export function parseYamlFile(path: string): Yaml {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json')
    ? (JSON.parse(text) as Yaml)
    : (parse(text, { customTags: cloudFormationTags }) as Yaml);
}

/** Innermost `${...}`: no `$`, `{` or `}` inside, so nested variables resolve inside-out. */
const INNERMOST_VARIABLE = /\$\{([^${}]+)\}/g;
/**
 * Framework variables start with a lower-case source (`self:`, `opt:`) or `file(`; `${AWS::Region}` and
 * `${Logical.Arn}` belong to Fn::Sub.
 */
const FRAMEWORK_VARIABLE = /^\s*(?:[a-z][a-zA-Z0-9]*:|file\()/;

/** Loads a serverless.yml and resolves every framework variable in it. */
export function loadServerlessYaml(path: string, options: ResolveOptions): Record<string, Yaml> {
  const serviceDir = dirname(resolve(path));
  const root = parseYamlFile(resolve(path));
  if (!isMap(root)) throw new Error(`${path} does not hold a YAML mapping.`);
  const resolver = new VariableResolver(root, serviceDir, options);
  return resolver.resolveNode(root, 'the service') as Record<string, Yaml>;
}

class VariableResolver {
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly root: Record<string, Yaml>,
    private readonly serviceDir: string,
    private readonly options: ResolveOptions,
  ) {}

  resolveNode(node: Yaml, where: string): Yaml {
    if (typeof node === 'string') return this.resolveString(node, where);
    if (Array.isArray(node)) return node.map((item, index) => this.resolveNode(item, `${where}[${index}]`));
    if (isMap(node)) {
      const out: Record<string, Yaml> = {};
      for (const [key, value] of Object.entries(node)) out[key] = this.resolveNode(value, `${where}.${key}`);
      return out;
    }
    return node;
  }

  private resolveString(text: string, where: string): Yaml {
    let current: Yaml = text;
    // Each pass replaces the innermost framework variables; stop when none is left.
    for (let pass = 0; typeof current === 'string' && pass < 50; pass += 1) {
      const source: string = current;
      const matches = [...source.matchAll(INNERMOST_VARIABLE)].filter((match) =>
        FRAMEWORK_VARIABLE.test(match[1] ?? ''),
      );
      if (matches.length === 0) return source;
      const only = matches[0];
      if (matches.length === 1 && only && only[0] === source) {
        current = this.resolveVariable(only[1] ?? '', where);
        continue;
      }
      let rebuilt = '';
      let last = 0;
      for (const match of matches) {
        const value = this.resolveVariable(match[1] ?? '', where);
        if (value !== null && typeof value === 'object') {
          throw new Error(`${where}: \${${match[1]}} is an object and cannot be part of a string.`);
        }
        rebuilt += source.slice(last, match.index) + String(value);
        last = (match.index ?? 0) + match[0].length;
      }
      current = rebuilt + source.slice(last);
    }
    return typeof current === 'string' ? current : this.resolveNode(current, where);
  }

  /** `source:address, fallback, ...`: the first candidate that has a value wins. */
  private resolveVariable(body: string, where: string): Yaml {
    const [primary, ...fallbacks] = splitTopLevelCommas(body);
    const candidates = [primary ?? '', ...fallbacks];
    for (const candidate of candidates) {
      const value = this.resolveCandidate(candidate.trim(), where);
      if (value !== undefined) return value;
    }
    throw new Error(`${where}: \${${body}} has no value and no fallback.`);
  }

  private resolveCandidate(candidate: string, where: string): Yaml | undefined {
    const quoted = /^(['"])(.*)\1$/s.exec(candidate);
    if (quoted) return quoted[2] ?? '';
    if (/^-?\d+(\.\d+)?$/.test(candidate)) return Number(candidate);
    if (candidate === 'true' || candidate === 'false') return candidate === 'true';
    if (candidate === 'null') return null;
    const file = /^file\(([^)]+)\)(?::(.+))?$/.exec(candidate);
    if (file) return this.resolveFile(file[1]?.trim() ?? '', file[2]?.trim(), where);
    const sourced = /^([a-z][a-zA-Z0-9]*):(.*)$/.exec(candidate);
    // A bare word is a literal, as it is once an inner `${...}` fallback has been substituted.
    if (!sourced) return candidate;
    const [, source, address = ''] = sourced;
    switch (source) {
      case 'self':
        return this.resolveSelf(address.trim(), where);
      case 'opt':
        return this.optionValue(address.trim());
      case 'sls':
        if (address.trim() === 'stage') return this.resolveSelf('provider.stage', where);
        if (address.trim() === 'instanceId') return 'local';
        throw new Error(`${where}: \${sls:${address}} is not supported locally.`);
      case 'param':
        // Local runs use each parameter's default; a parameter without one must be supplied in AWS.
        return undefined;
      case 'env':
        return process.env[address.trim()];
      case 'aws':
        if (address.trim() === 'accountId') return this.options.accountId;
        if (address.trim() === 'region') return this.resolveSelf('provider.region', where);
        throw new Error(`${where}: \${aws:${address}} is not supported locally.`);
      default:
        throw new Error(`${where}: the variable source "${source}:" has no local equivalent; give it a fallback.`);
    }
  }

  private optionValue(name: string): Yaml | undefined {
    if (name === 'stage') return this.options.stage;
    if (name === 'region') return this.options.region;
    return undefined;
  }

  private resolveSelf(address: string, where: string): Yaml | undefined {
    const key = `self:${address}`;
    if (this.inProgress.has(key)) throw new Error(`${where}: \${${key}} refers to itself.`);
    this.inProgress.add(key);
    try {
      let node: Yaml | undefined = this.root;
      const path = address === '' ? [] : address.split('.');
      for (const [index, segment] of path.entries()) {
        if (node === undefined) return undefined;
        // A step may itself be a variable (e.g. `custom: ${file(...)}`): resolve that one string only.
        if (typeof node === 'string') node = this.resolveString(node, `self:${path.slice(0, index).join('.')}`);
        node = Array.isArray(node) ? node[Number(segment)] : isMap(node) ? node[segment] : undefined;
      }
      return node === undefined ? undefined : this.resolveNode(node, key);
    } finally {
      this.inProgress.delete(key);
    }
  }

  private resolveFile(relativePath: string, address: string | undefined, where: string): Yaml | undefined {
    if (!/\.(ya?ml|json)$/.test(relativePath)) {
      throw new Error(`${where}: \${file(${relativePath})} must be a YAML or JSON file locally.`);
    }
    const content = this.resolveNode(parseYamlFile(resolve(this.serviceDir, relativePath)), relativePath);
    if (!address) return content;
    let node: Yaml | undefined = content;
    for (const segment of address.split('.')) {
      node = Array.isArray(node) ? node[Number(segment)] : isMap(node) ? node[segment] : undefined;
    }
    return node;
  }
}

/** Splits `a, 'b, c', d` on commas that are outside quotes. */
function splitTopLevelCommas(text: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ',') {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export function isMap(value: unknown): value is Record<string, Yaml> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
