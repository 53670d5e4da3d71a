/**
 * Who may sign requests to the local endpoint.
 *
 * - Every 12-digit account exists on first use; its root credentials are the access key
 *   `LOCAL<accountId>` with the secret `local` (docs/product-contract.md §7).
 * - AssumeRole issues temporary credentials (ASIA... key, secret, session token, expiry).
 *   Sessions live in memory only: restarting the endpoint invalidates them, as if they had
 *   expired, and callers assume the role again.
 *
 * Time comes from an injectable clock so tests can let sessions expire.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller, PolicyDocument } from '#endpoint/contract';

export const ROOT_SECRET = 'local';
const ROOT_KEY = /^LOCAL(\d{12})$/;

export type Clock = () => number;

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number; // epoch milliseconds
  accountId: string;
  roleArn: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  sessionPolicy?: PolicyDocument;
}

/** The outcome of looking up an access key: the secret to verify with and the caller it makes. */
export type Credential =
  | { kind: 'root'; secret: string; caller: Caller }
  | { kind: 'session'; secret: string; caller: Caller; session: Session };

export interface SessionRequest {
  /** The role assumed (an IAM store role has these fields). */
  role: { accountId: string; arn: string; roleName: string; roleId: string };
  sessionName: string;
  durationSeconds: number;
  sessionPolicy?: PolicyDocument;
}

export interface Accounts {
  now: Clock;
  /** Undefined for keys that were never issued. */
  credentialFor(accessKeyId: string): Credential | undefined;
  issueSession(request: SessionRequest): Session;
  /** Constant-time comparison of the presented session token with the issued one. */
  sessionTokenMatches(session: Session, presented: string | undefined): boolean;
}

export function createAccounts(now: Clock = Date.now): Accounts {
  const sessions = new Map<string, Session>();

  const forgetLongExpired = () => {
    const cutoff = now() - 24 * 3600 * 1000;
    for (const [key, session] of sessions) if (session.expiresAt < cutoff) sessions.delete(key);
  };

  return {
    now,
    credentialFor(accessKeyId) {
      const root = ROOT_KEY.exec(accessKeyId);
      if (root?.[1]) {
        const accountId = root[1];
        return {
          kind: 'root',
          secret: ROOT_SECRET,
          caller: { accountId, arn: `arn:aws:iam::${accountId}:root`, accessKeyId, isRoot: true },
        };
      }
      const session = sessions.get(accessKeyId);
      if (!session) return undefined;
      return { kind: 'session', secret: session.secretAccessKey, session, caller: sessionCaller(session) };
    },
    issueSession(request) {
      forgetLongExpired();
      const session: Session = {
        accessKeyId: `ASIA${randomId(16)}`,
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(96).toString('base64'),
        expiresAt: now() + request.durationSeconds * 1000,
        accountId: request.role.accountId,
        roleArn: request.role.arn,
        roleName: request.role.roleName,
        roleId: request.role.roleId,
        sessionName: request.sessionName,
        sessionPolicy: request.sessionPolicy,
      };
      sessions.set(session.accessKeyId, session);
      return session;
    },
    sessionTokenMatches(session, presented) {
      if (presented === undefined) return false;
      const expected = Buffer.from(session.sessionToken);
      const actual = Buffer.from(presented);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}

export function sessionCaller(session: Session): Caller {
  return {
    accountId: session.accountId,
    arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
    accessKeyId: session.accessKeyId,
    isRoot: false,
    roleArn: session.roleArn,
    sessionPolicy: session.sessionPolicy,
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Upper-case base32-style ids, the shape of AWS access key and unique ids. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}
