/**
 * Finds credentials, session tokens, external IDs and bearer tokens in log text. The test harness
 * runs it over the local stack's whole output at the end of every test run (global-setup.ts), so
 * a function or the local runtime that starts logging one fails the run, whichever test made it.
 */

/** One kind of secret and how a log line gives it away. */
export interface SecretPattern {
  name: string;
  /** Global, so that the report masks every match of a line. */
  regex: RegExp;
  /** A line only counts when it also matches this (a key id alone is an identifier, not a secret). */
  alsoNeeds?: RegExp;
  /** The match names a field whose value follows it: the report cuts the line after the name. */
  valueFollows?: boolean;
}

export const SECRET_PATTERNS: SecretPattern[] = [
  { name: 'AWS access key id', regex: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  { name: 'local root access key with its secret', regex: /\bLOCAL\d{12}\b/g, alsoNeeds: /secret/i },
  { name: 'secret access key', regex: /secret_?access_?key/gi, valueFollows: true },
  { name: 'session token', regex: /session_?token|x-amz-security-token/gi, valueFollows: true },
  { name: 'external ID', regex: /\bs3i-[A-Za-z0-9_-]{20,}/g },
  { name: 'bearer token', regex: /\bBearer\s+eyJ[A-Za-z0-9_-]*/g },
  { name: 'JSON web token', regex: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
];

export interface SecretFinding {
  /** 1-based line number in the scanned text. */
  line: number;
  pattern: string;
  /** The line, shortened, cut after a field that carries a secret, other matches masked. */
  excerpt: string;
}

const MAX_EXCERPT = 240;

const mask = (match: string) =>
  match.length <= 6 ? match : `${match.slice(0, 6)}${'*'.repeat(Math.min(12, match.length - 6))}`;

const firstMatch = (regex: RegExp, text: string) => new RegExp(regex.source, regex.flags.replace('g', '')).exec(text);

/** The line as a report may show it: cut after the first field that carries a value, every other match masked. */
function redact(content: string, patterns: SecretPattern[]): string {
  let shown = content;
  for (const pattern of patterns.filter((candidate) => candidate.valueFollows)) {
    const found = firstMatch(pattern.regex, shown);
    if (found) shown = `${shown.slice(0, found.index + found[0].length)} [value hidden]`;
  }
  for (const pattern of patterns.filter((candidate) => !candidate.valueFollows))
    shown = shown.replace(pattern.regex, mask);
  return shown.length > MAX_EXCERPT ? `${shown.slice(0, MAX_EXCERPT)}...` : shown;
}

export function findSecrets(text: string, patterns: SecretPattern[] = SECRET_PATTERNS): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split('\n').forEach((content, index) => {
    for (const pattern of patterns) {
      if (pattern.alsoNeeds && !pattern.alsoNeeds.test(content)) continue;
      if (firstMatch(pattern.regex, content))
        findings.push({ line: index + 1, pattern: pattern.name, excerpt: redact(content, patterns) });
    }
  });
  return findings;
}

/** The message that fails a test run: where each secret is, never the secret itself. */
export function describeFindings(findings: SecretFinding[], source: string, limit = 20): string {
  const lines = findings
    .slice(0, limit)
    .map((finding) => `  line ${finding.line} (${finding.pattern}): ${finding.excerpt}`);
  const more = findings.length > limit ? [`  ... and ${findings.length - limit} more`] : [];
  return [
    `The local stack's output (${source}) contains ${findings.length} secret(s); logs must never carry them:`,
    ...lines,
    ...more,
  ].join('\n');
}
