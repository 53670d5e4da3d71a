/**
 * Parses and checks policy documents the way IAM does when a policy is stored, so a document
 * that AWS would reject with MalformedPolicyDocument is rejected here too, and evaluation only
 * ever sees well-formed statements.
 */
import { AwsError, type PolicyDocument, type PolicyStatement } from '#endpoint/contract';
import { isSupportedConditionOperator } from '#endpoint/policy/conditions';

/**
 * identity: attached/inline/session policies (no Principal). trust: role trust policies. key: KMS
 * key policies, whose statements need a Principal, and which KMS accepts without Action or
 * Resource (such a statement has no effect, as the CreateKey and PutKeyPolicy references say).
 */
export type PolicyKind = 'identity' | 'trust' | 'key';

const MAX_DOCUMENT_LENGTH = 10_240;

export function parsePolicyDocument(text: string, kind: PolicyKind): PolicyDocument {
  if (text.length > MAX_DOCUMENT_LENGTH)
    malformed(`The policy document is longer than ${MAX_DOCUMENT_LENGTH} characters.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    malformed('Syntax errors in policy.');
  }
  if (!isObject(parsed)) malformed('The policy document must be a JSON object.');
  const version = parsed.Version;
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    malformed('The policy must contain a valid version string.');
  }
  const statements = parsed.Statement;
  if (statements === undefined) malformed('Policy document must contain a Statement.');
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.length === 0) malformed('Policy document must contain at least one Statement.');
  list.forEach((statement) => checkStatement(statement, kind));
  return parsed as unknown as PolicyDocument;
}

export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

function checkStatement(statement: unknown, kind: PolicyKind): void {
  if (!isObject(statement)) malformed('Each Statement must be a JSON object.');
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
    malformed('Each Statement needs Effect "Allow" or "Deny".');
  if (kind === 'key') atMostOne(statement, 'Action', 'NotAction');
  else exactlyOne(statement, 'Action', 'NotAction');
  const actions = statement.Action ?? statement.NotAction;
  if (actions !== undefined) {
    checkStrings(actions, 'Action', (action) => action === '*' || /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(action));
  }
  if (kind === 'key') {
    exactlyOne(statement, 'Principal', 'NotPrincipal');
    checkPrincipal(statement.Principal ?? statement.NotPrincipal);
    atMostOne(statement, 'Resource', 'NotResource');
    const resources = statement.Resource ?? statement.NotResource;
    if (resources !== undefined) checkStrings(resources, 'Resource', (resource) => resource.length > 0);
  } else if (kind === 'identity') {
    if ('Principal' in statement || 'NotPrincipal' in statement)
      malformed('Policy document should not specify a principal.');
    exactlyOne(statement, 'Resource', 'NotResource');
    checkStrings(
      statement.Resource ?? statement.NotResource,
      'Resource',
      (resource) => resource === '*' || (resource.startsWith('arn:') && !resource.includes('${')),
    );
  } else {
    exactlyOne(statement, 'Principal', 'NotPrincipal');
    checkPrincipal(statement.Principal ?? statement.NotPrincipal);
    if ('Resource' in statement || 'NotResource' in statement) malformed('Has prohibited field Resource.');
  }
  if (statement.Condition !== undefined) checkCondition(statement.Condition);
}

function checkPrincipal(principal: unknown): void {
  if (principal === '*') return;
  if (!isObject(principal) || Object.keys(principal).length === 0) malformed('Invalid principal in policy.');
  for (const [type, value] of Object.entries(principal)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) malformed(`Invalid principal type ${type}.`);
    checkStrings(value, 'Principal', (entry) => {
      if (type !== 'AWS') return entry.length > 0;
      return entry === '*' || /^\d{12}$/.test(entry) || /^arn:aws:(iam|sts)::\d{12}:.+$/.test(entry);
    });
  }
}

function checkCondition(condition: unknown): void {
  if (!isObject(condition)) malformed('Condition must be a JSON object.');
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isSupportedConditionOperator(operator)) {
      malformed(`Condition operator ${operator} is invalid or not supported by the local endpoint.`);
    }
    if (!isObject(keys)) malformed(`Condition ${operator} must map keys to values.`);
    for (const value of Object.values(keys)) {
      const values = Array.isArray(value) ? value : [value];
      const valid = values.every((item) => ['string', 'boolean', 'number'].includes(typeof item));
      if (!valid || values.length === 0) malformed(`Condition ${operator} has an invalid value.`);
      if (values.some((item) => typeof item === 'string' && item.includes('${'))) {
        malformed('Policy variables are not supported by the local endpoint.');
      }
    }
  }
}

function exactlyOne(statement: Record<string, unknown>, one: string, other: string): void {
  if (one in statement === other in statement) malformed(`Each Statement needs exactly one of ${one} or ${other}.`);
}

function atMostOne(statement: Record<string, unknown>, one: string, other: string): void {
  if (one in statement && other in statement) malformed(`A Statement may have only one of ${one} or ${other}.`);
}

function checkStrings(value: unknown, field: string, valid: (item: string) => boolean): void {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || !values.every((item) => typeof item === 'string' && valid(item))) {
    malformed(`The policy has an invalid ${field}.`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(message: string): never {
  throw new AwsError('MalformedPolicyDocument', message, 400);
}
