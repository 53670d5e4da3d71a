/**
 * The regions the platform serves (stage parameter `servedRegions`): an integration must name one
 * of them, and GET /v1/regions lists them so that a console offers exactly these.
 */
import * as z from 'zod';
import { config } from '#shared/config';

export const regionList = z.object({
  items: z.array(z.object({ region: z.string() })),
});

export type RegionList = z.infer<typeof regionList>;

export function servedRegions(): RegionList {
  return { items: config().SERVED_REGIONS.map((region) => ({ region })) };
}
