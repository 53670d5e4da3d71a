import { SFNClient } from '@aws-sdk/client-sfn';

/** One Step Functions client per container (kept apart so only the functions that start runs bundle it). */
export const stepFunctions = new SFNClient({});
