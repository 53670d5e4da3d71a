/**
 * The console's one way to the HTTP API: openapi-fetch over the generated paths, the caller's
 * bearer token on every request, and every failure turned into an ApiError whose text a customer
 * can read (api/errors.ts). Nothing else in the console calls fetch.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError } from './errors';

export type ApiClient = ReturnType<typeof createApiClient>;

export interface ApiSettings {
  /** The API's base URL ('' for the page's own origin). */
  baseUrl: string;
  /** The current bearer token, read on every request (the host may replace it at any time). */
  token: () => string | undefined;
  /** Called on a 401, so the host can sign the user in again. */
  onUnauthorized?: () => void;
}

export function createApiClient(settings: ApiSettings) {
  const client = createClient<paths>({ baseUrl: settings.baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = settings.token();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return {
    raw: client,
    /** Runs one call; answers its data or throws an ApiError. */
    async call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
      let result: { data?: T; error?: unknown; response: Response };
      try {
        result = await request;
      } catch (cause) {
        throw ApiError.unreachable(cause);
      }
      const { data, error, response } = result;
      if (response.ok) return data as T;
      if (response.status === 401) settings.onUnauthorized?.();
      throw ApiError.fromResponse(response, error);
    },
  };
}
