/**
 * Renders an AWS SDK error in the Go SDK's layout, the one the vendor's published troubleshooting
 * messages use: `operation error S3: GetBucketLocation, https response error StatusCode: 404,
 * RequestID: <id>, HostID: <id>, api error NoSuchBucket: <message>`. Support teams match on this
 * shape, and the request ids let AWS support find the call in the customer's account.
 *
 * Only the error's code, status, request ids and AWS's own message go in: never request
 * parameters, headers or credentials.
 */
import { nameOf, statusOf, type AwsErrorShape } from '#shared/aws/error-kinds';

export function awsErrorText(service: 'S3' | 'STS', operation: string, error: unknown): string {
  const shape = (error ?? {}) as AwsErrorShape;
  const status = statusOf(error);
  const parts = [`operation error ${service}: ${operation}`];
  if (status !== undefined) {
    parts.push(`https response error StatusCode: ${status}`);
    parts.push(`RequestID: ${shape.$metadata?.requestId ?? ''}`);
    if (service === 'S3') parts.push(`HostID: ${shape.$metadata?.extendedRequestId ?? ''}`);
  }
  const message = singleLine(shape.message ?? '');
  parts.push(`api error ${nameOf(error)}: ${message}`);
  return parts.join(', ');
}

/** AWS messages are one line; anything else (a stray stack or XML) is flattened and bounded. */
function singleLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}...` : flat;
}
