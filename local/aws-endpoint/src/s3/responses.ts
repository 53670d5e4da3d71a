/** Writing S3 answers: XML documents, header-only answers and errors with S3's extra fields. */
import type { ServerResponse } from 'node:http';
import type { AwsError } from '#endpoint/contract';
import { escapeXml, requestIdOf } from '#endpoint/protocols';
import { S3Error } from '#endpoint/s3/errors';

export function sendXml(
  response: ServerResponse,
  xml: string,
  headers: Record<string, string> = {},
  statusCode = 200,
): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.statusCode = statusCode;
  response.setHeader('content-type', 'application/xml');
  response.setHeader('content-length', Buffer.byteLength(xml));
  response.end(xml);
}

export function sendEmpty(response: ServerResponse, statusCode: number, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.statusCode = statusCode;
  response.setHeader('content-length', 0);
  response.end();
}

/** HEAD answers carry no body, so the SDK reads the error from the status code alone. */
export function sendS3Error(response: ServerResponse, error: AwsError, method: string): void {
  const fields = error instanceof S3Error ? error.fields : {};
  const headers = error instanceof S3Error ? error.headers : {};
  const extra = Object.entries(fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${extra}<RequestId>` +
    `${escapeXml(requestIdOf(response))}</RequestId></Error>`;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.statusCode = error.statusCode;
  if (method === 'HEAD') {
    response.setHeader('content-length', 0);
    response.end();
    return;
  }
  response.setHeader('content-type', 'application/xml');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}

/** `Last-Modified` style dates (RFC 7231). */
export const httpDate = (iso: string) => new Date(iso).toUTCString();
