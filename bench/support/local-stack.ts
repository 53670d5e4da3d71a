/**
 * A local stack of its own for a bench: started as `npm start` does (a child process running
 * local/runtime/src/start.ts) on free ports with a throw-away data directory, stopped when the bench ends.
 * Answers what the stack writes to its ready file: URLs, JWT settings and the function environment
 * (which lets a bench call handlers in-process, configured exactly as the stack's own).
 */
import { startChildStack, type ChildStack } from '@s3-integrations/local-runtime/child-stack';
import { loadOrCreateSigningKey, signToken, type Claims } from '@s3-integrations/local-runtime/jwt';

export interface BenchStack extends Omit<ChildStack, 'remove'> {
  token(claims: Claims): Promise<string>;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The service's platform event bus (serverless.yml PlatformEventBus, stage dev): where platform events go. */
export const PLATFORM_EVENT_BUS = 's3-integrations-dev-platform-events';

/** Root credentials of any account on the local endpoint (docs/product-contract.md §7): not secrets. */
export const rootCredentials = (accountId: string) => ({ accessKeyId: `LOCAL${accountId}`, secretAccessKey: 'local' });

export async function startBenchStack(settings: Record<string, string> = {}): Promise<BenchStack> {
  const stack = await startChildStack({ LOCAL_LOG_LEVEL: 'WARN', ...settings }, 'bench-stack');
  const key = loadOrCreateSigningKey(stack.jwtKeyDir);
  return {
    ...stack,
    token: (claims) => signToken(claims, key, stack.jwt),
    stop: async () => {
      await stack.stop();
      stack.remove();
    },
  };
}
