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
