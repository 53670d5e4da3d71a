/**
 * How a policy's patterns match, in one place for the whole endpoint: wildcards in values
 * (StringLike and its kin, actions), ARNs as ArnLike and as the Resource element match them, and
 * the account id inside an ARN. Everything in the endpoint that matches a policy pattern calls
 * these, so a pattern means the same in every service it emulates.
 */

/**
 * IAM wildcard matching: `*` matches any run of characters (also `/` and `:`), `?` exactly one.
 * Everything else is literal, so a policy value can never smuggle in regular-expression syntax.
 */
export function matchesWildcard(pattern: string, value: string, ignoreCase = false): boolean {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** partition, service, region, account, resource type and id: the parts of every ARN. */
const ARN_PARTS = 6;

/**
 * ARN matching as ArnLike/ArnEquals do it: the six colon-separated parts are compared one by
 * one, so a `*` in the account part cannot swallow the resource part. The last part (resource)
 * keeps any further colons.
 */
export function matchesArn(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = splitArn(pattern);
  const arnParts = splitArn(arn);
  if (!patternParts || !arnParts) return false;
  return patternParts.every((part, index) => matchesWildcard(part, arnParts[index] ?? ''));
}

/**
 * ARN matching as the Resource and NotResource elements do it: part by part like matchesArn,
 * except that a pattern with fewer than six parts whose last part ends in `*` lets that `*`
 * run on past the colons, as IAM documents ("if the * wildcard is the last character of a
 * resource ARN segment, it can expand to match beyond the colon boundaries"). So
 * `arn:aws:kms:*` covers every KMS key and `arn:aws:iam::*` every IAM resource, while
 * `arn:aws:kms:us-east-1` (no trailing `*`) still matches no ARN.
 */
export function matchesResourceArn(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const arnParts = splitArn(arn);
  if (!arnParts || !pattern.startsWith('arn:')) return false;
  const patternParts = pattern.split(':');
  if (patternParts.length >= ARN_PARTS) return matchesArn(pattern, arn);
  const last = patternParts.length - 1;
  const lastPart = patternParts[last] ?? '';
  if (!lastPart.endsWith('*')) return false;
  const leading = patternParts.slice(0, last).every((part, index) => matchesWildcard(part, arnParts[index] ?? ''));
  return leading && matchesWildcard(lastPart, arnParts.slice(last).join(':'));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < ARN_PARTS || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, ARN_PARTS - 1), parts.slice(ARN_PARTS - 1).join(':')];
}

/** The account id inside an ARN (`arn:partition:service:region:account:resource`), if any. */
export function accountOfArn(arn: string): string | undefined {
  const account = splitArn(arn)?.[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
