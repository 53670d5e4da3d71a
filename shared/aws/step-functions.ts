import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * One Step Functions client per container. Marked pure so that esbuild leaves it out of bundles that
 * reach this module without starting runs (the integration reads), which then never construct it.
 */
export const stepFunctions = /* @__PURE__ */ new SFNClient({});
