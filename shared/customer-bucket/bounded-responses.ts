/**
 * A customer's bucket answers are read with bounds, so no bucket (nor anything that answers in its
 * place) can make a worker hold unbounded memory or wait forever:
 * - every answer the SDK parses (XML of listings, errors, uploads) may be at most
 *   MAX_PARSED_RESPONSE_BYTES: a listing page of 1,000 keys of 1,024 bytes is about 1.3 MB;
 * - object bodies (GetObject) are streamed to their reader, who bounds them (the probe read);
 * - the client's connection and idle timeouts end a stalled answer (customer-s3.ts).
 */
import { Transform, type Readable } from 'node:stream';
import type { DeserializeMiddleware, MetadataBearer } from '@smithy/types';

export const MAX_PARSED_RESPONSE_BYTES = 8 * 1024 * 1024;

export class ResponseTooLargeError extends Error {
  constructor(limit: number) {
    super(`The bucket's answer is larger than ${limit} bytes: it is not read further.`);
    this.name = 'ResponseTooLargeError';
  }
}

function bounded(body: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) {
        body.destroy();
        done(new ResponseTooLargeError(limit));
        return;
      }
      done(null, chunk);
    },
  });
  body.on('error', (error) => counter.destroy(error));
  return body.pipe(counter);
}

/** A deserialize-step middleware placed under the SDK's parser: it sees the raw HTTP answer first. */
export const boundedResponseBodies =
  (limit = MAX_PARSED_RESPONSE_BYTES): DeserializeMiddleware<object, MetadataBearer> =>
  (next, context) =>
  async (args) => {
    const result = await next(args);
    // Object bodies stream to their reader; a HEAD answer has none (its content-length is the object's).
    if (context.commandName === 'GetObjectCommand' || (args.request as { method?: string }).method === 'HEAD')
      return result;
    const response = result.response as { headers?: Record<string, string>; body?: unknown };
    const length = Number(response.headers?.['content-length']);
    if (Number.isFinite(length) && length > limit) {
      (response.body as Readable | undefined)?.destroy?.();
      throw new ResponseTooLargeError(limit);
    }
    const body = response.body as Readable | undefined;
    if (body && typeof body.pipe === 'function') response.body = bounded(body, limit);
    return result;
  };
