import * as z from 'zod';

/**
 * Forwarding lag over time, for a chart: the largest lag seen in each 10-minute slot of the last
 * 24 hours, kept on the forwarding item beside its health. A fixed series of numbers keeps the item
 * small (a few hundred bytes: the item is rewritten by every run, and DynamoDB bills writes by item
 * size). Recording is one pure call, `withLagSample`, on the history the run already read, so it
 * moves with the health write wherever forwarding's runs go.
 */
export const LAG_SLOT_SECONDS = 600;
export const LAG_SLOTS = 144;

export interface LagHistory {
  /** Epoch seconds of the first slot's start (a multiple of LAG_SLOT_SECONDS). */
  from: number;
  /** The largest lag (seconds) of each slot from `from` on; null for a slot without a run. */
  lags: Array<number | null>;
}

const slotOf = (epochMs: number) => Math.floor(epochMs / 1000 / LAG_SLOT_SECONDS) * LAG_SLOT_SECONDS;

/** The history with one more sample: the slot of `now` keeps its maximum; slots older than 24 hours drop out. */
export function withLagSample(history: LagHistory | undefined, lagSeconds: number | undefined, now: number): LagHistory | undefined {
  if (lagSeconds === undefined) return history;
  const slot = slotOf(now);
  const lags = history ? [...history.lags] : [];
  let from = history?.from ?? slot;
  if (slot < from) return history; // a sample from a clock behind the history: ignore it
  const index = (slot - from) / LAG_SLOT_SECONDS;
  while (lags.length <= index) lags.push(null);
  lags[index] = Math.max(lags[index] ?? 0, lagSeconds);
  const excess = lags.length - LAG_SLOTS;
  if (excess > 0) {
    lags.splice(0, excess);
    from += excess * LAG_SLOT_SECONDS;
  }
  return { from, lags };
}

export const lagHistoryView = z.object({
  slotSeconds: z.number().int(),
  /** Slots with at least one run, oldest first: the largest lag of every cluster that forwards through the integration. */
  points: z.array(z.object({ at: z.string(), lagSeconds: z.number() })),
});

export type LagHistoryView = z.infer<typeof lagHistoryView>;

/** Several clusters' histories as one series: the worst lag of each slot, as the integration's health reports the worst. */
export function combinedLagPoints(histories: Array<LagHistory | undefined>, now: number): LagHistoryView {
  const oldest = slotOf(now) - (LAG_SLOTS - 1) * LAG_SLOT_SECONDS;
  const worst = new Map<number, number>();
  for (const history of histories) {
    history?.lags.forEach((lag, index) => {
      const at = history.from + index * LAG_SLOT_SECONDS;
      if (lag === null || at < oldest) return;
      worst.set(at, Math.max(worst.get(at) ?? 0, lag));
    });
  }
  const points = [...worst].sort(([a], [b]) => a - b).map(([at, lagSeconds]) => ({ at: new Date(at * 1000).toISOString(), lagSeconds }));
  return { slotSeconds: LAG_SLOT_SECONDS, points };
}
