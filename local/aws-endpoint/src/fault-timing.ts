/**
 * Faults "after" a request (FaultSettings.timing): the service carries the request out as usual,
 * and only its answer is delayed, replaced by the fault's error or cut off. This is how a client
 * meets a write that succeeded but whose answer never arrived (a connection reset, a 500 from a
 * front end after the store committed): its retry must cope with the write already being there.
 *
 * The answer is held at `end()`: whatever the service wrote before that (a streamed body) is
 * already on its way, so an error can then no longer replace it and the connection is cut
 * instead. Aim these faults at writes, whose answers are small and written in one go.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAwsError } from '#endpoint/protocols';
import { faultError, type FaultDecision } from '#endpoint/faults';

/** The headers every answer carries whatever it says (the request ids). */
const KEPT_HEADERS = new Set(['x-amzn-requestid', 'x-amz-request-id']);

export function holdAnswer(req: IncomingMessage, res: ServerResponse, decision: FaultDecision, service: string): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    res.end = end as ServerResponse['end'];
    setTimeout(() => release(req, res, decision, service, () => end(...args)), decision.latencyMs);
    return res;
  }) as ServerResponse['end'];
}

function release(
  req: IncomingMessage,
  res: ServerResponse,
  decision: FaultDecision,
  service: string,
  answer: () => void,
): void {
  const { mode } = decision;
  if (!mode) return answer();
  if (mode === 'drop-connection' || res.headersSent) {
    req.socket.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) if (!KEPT_HEADERS.has(name)) res.removeHeader(name);
  sendAwsError(res, service, faultError(mode, service), req.method);
}
