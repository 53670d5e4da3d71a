/**
 * The error of an export writer that lost its lease: the job's (job-lease.ts, job-end.ts,
 * export-workers.ts) or a work unit's (checkpoints/). One class for both leases, so a worker stops
 * the same way, leaving no trace, whichever lease it lost.
 */

/**
 * Thrown when a write finds that its writer no longer holds the lease it wrote under (the job's or
 * a work unit's): another invocation owns that work now, and this one must stop without a trace.
 */
export class LeaseLostError extends Error {
  constructor(what = 'export job') {
    super(`The ${what} lease was lost: another invocation owns it now.`);
    this.name = 'LeaseLostError';
  }
}
