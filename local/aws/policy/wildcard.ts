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

/**
 * ARN matching as ArnLike/ArnEquals and Resource elements do it: the six colon-separated parts
 * are compared one by one, so a `*` in the account part cannot swallow the resource part.
 * The last part (resource) keeps any further colons.
 */
export function matchesArn(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = splitArn(pattern);
  const arnParts = splitArn(arn);
  if (!patternParts || !arnParts) return false;
  return patternParts.every((part, index) => matchesWildcard(part, arnParts[index] ?? ''));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** The account id inside an ARN (`arn:partition:service:region:account:resource`), if any. */
export function accountOfArn(arn: string): string | undefined {
  const account = splitArn(arn)?.[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
