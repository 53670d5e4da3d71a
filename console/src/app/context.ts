/**
 * What every screen gets from the root element: the API client, the project, what the caller may
 * do there (from the token's claims, for showing or hiding write actions; the API enforces it),
 * how to move between screens, and, on the local stack only, where the customer's AWS lives.
 */
import type { ApiClient } from '../api/client';

export interface LocalStackInfo {
  endpoint: string;
  customerAccountId: string;
  region: string;
}

export interface ConsoleContext {
  api: ApiClient;
  projectId: string;
  canWrite: boolean;
  navigate: (route: string) => void;
  local?: LocalStackInfo;
}

export interface TokenClaims {
  sub?: string;
  org?: string;
  orgRole?: 'owner' | 'member';
  projects?: Record<string, 'admin' | 'member'>;
  exp?: number;
}

/** The token's claims, read without checking the signature: only to decide what to show. */
export function claimsOf(token: string | undefined): TokenClaims {
  try {
    const payload = (token ?? '').split('.')[1] ?? '';
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as TokenClaims;
  } catch {
    return {};
  }
}

export function mayWrite(claims: TokenClaims, projectId: string): boolean {
  return claims.orgRole === 'owner' || claims.projects?.[projectId] === 'admin';
}

/** The project a token names, when it names exactly one (a host may leave project-id out then). */
export function onlyProjectOf(claims: TokenClaims): string | undefined {
  const projects = Object.keys(claims.projects ?? {});
  return projects.length === 1 ? projects[0] : undefined;
}
