/**
 * Wire formats of the AWS protocols the local endpoint speaks, in one place so every service
 * answers (and fails) exactly as the AWS SDK v3 parsers expect:
 * - S3 (REST-XML): errors are `<Error><Code/><Message/><RequestId/></Error>`;
 * - STS and IAM (Query): form-encoded requests, `<XResponse><XResult/>` answers, `<ErrorResponse>`;
 * - KMS, EventBridge (JSON 1.1), Step Functions and SQS (JSON 1.0): `X-Amz-Target` requests,
 *   errors carry `__type` and the `x-amzn-ErrorType` header (SQS also `x-amzn-query-error`).
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '#endpoint/contract';

export type Protocol = 'rest-xml' | 'query' | 'json-1.0' | 'json-1.1';

/** The protocol of each service the endpoint serves, keyed by the SigV4 credential-scope name. */
export const SERVICE_PROTOCOLS: Record<string, Protocol> = {
  s3: 'rest-xml',
  sts: 'query',
  iam: 'query',
  kms: 'json-1.1',
  events: 'json-1.1',
  states: 'json-1.0',
  sqs: 'json-1.0',
};

const QUERY_NAMESPACES: Record<string, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An answer's content, for both XML protocols: undefined renders nothing, a Date in ISO 8601. */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [name: string]: XmlValue };

/**
 * How a protocol writes a list: the Query protocol (STS, IAM) wraps its items in `<member>`
 * elements; S3's REST-XML repeats the element itself, once per item, with no wrapper.
 */
export type XmlLists = 'member' | 'flat';

/** The one XML renderer of answers: one element, its lists shaped as the protocol shapes them. */
export function renderXml(name: string, value: XmlValue, lists: XmlLists): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) {
    if (lists === 'flat') return value.map((item) => renderXml(name, item, lists)).join('');
    return `<${name}>${value.map((item) => renderXml('member', item, lists)).join('')}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const children = Object.entries(value).map(([child, childValue]) => renderXml(child, childValue, lists));
    return `<${name}>${children.join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The request id the server assigned (it sets the header before any service runs). */
export function requestIdOf(response: ServerResponse): string {
  const id = response.getHeader('x-amzn-requestid') ?? response.getHeader('x-amz-request-id');
  return typeof id === 'string' ? id : '';
}

/** Answers a Query-protocol action: `<ActionResponse><ActionResult>...</ActionResult>`. */
export function sendQueryResult(
  response: ServerResponse,
  service: 'sts' | 'iam',
  action: string,
  result: Record<string, XmlValue> | undefined,
): void {
  const resultXml = result ? renderXml(`${action}Result`, result, 'member') : '';
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${QUERY_NAMESPACES[service]}">` +
    `${resultXml}<ResponseMetadata><RequestId>${escapeXml(requestIdOf(response))}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  send(response, 200, 'text/xml', body);
}

/** Answers a JSON-protocol operation. Dates must already be epoch seconds (numbers). */
export function sendJsonResult(response: ServerResponse, protocol: Protocol, result: unknown): void {
  send(response, 200, jsonContentType(protocol), JSON.stringify(result));
}

/** Answers an error in the service's own protocol; HEAD answers carry no body, as in S3. */
export function sendAwsError(response: ServerResponse, service: string, error: AwsError, method = 'GET'): void {
  const protocol = SERVICE_PROTOCOLS[service] ?? 'rest-xml';
  const requestId = requestIdOf(response);
  if (protocol === 'rest-xml') {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message><RequestId>${escapeXml(requestId)}</RequestId></Error>`;
    send(response, error.statusCode, 'application/xml', method === 'HEAD' ? '' : body);
    return;
  }
  if (protocol === 'query') {
    const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${QUERY_NAMESPACES[service] ?? ''}">` +
      `<Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>` +
      `${escapeXml(error.message)}</Message></Error>` +
      `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
    send(response, error.statusCode, 'text/xml', body);
    return;
  }
  const { code, statusCode } = jsonErrorCode(service, error);
  response.setHeader('x-amzn-ErrorType', code);
  // SQS is "query compatible": the SDK takes the error code from this header when present.
  if (service === 'sqs')
    response.setHeader('x-amzn-query-error', `${code};${statusCode >= 500 ? 'Receiver' : 'Sender'}`);
  send(response, statusCode, jsonContentType(protocol), JSON.stringify({ __type: code, message: error.message }));
}

/**
 * Policy decisions are raised as the IAM-style `AccessDenied` (403); the JSON services other
 * than SQS name it `AccessDeniedException` and answer 400, as AWS does.
 */
function jsonErrorCode(service: string, error: AwsError): { code: string; statusCode: number } {
  if (error.code === 'AccessDenied' && service !== 'sqs') return { code: 'AccessDeniedException', statusCode: 400 };
  return { code: error.code, statusCode: error.statusCode };
}

function jsonContentType(protocol: Protocol): string {
  return protocol === 'json-1.0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
}

function send(response: ServerResponse, statusCode: number, contentType: string, body: string): void {
  response.statusCode = statusCode;
  response.setHeader('content-type', contentType);
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}

/** Reads a JSON-protocol request body; a body that is not a JSON object is the caller's error. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  const text = body.length === 0 ? '{}' : body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.', 400);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.', 400);
  }
  return parsed as Record<string, unknown>;
}

/** The operation named by `X-Amz-Target: <Prefix>.<Operation>`, checked against the expected prefix. */
export function jsonOperation(target: string | string[] | undefined, prefix: string): string {
  const value = Array.isArray(target) ? target[0] : target;
  if (!value || !value.startsWith(`${prefix}.`)) {
    throw new AwsError('UnknownOperationException', 'The X-Amz-Target header names no known operation.', 400);
  }
  return value.slice(prefix.length + 1);
}

/** Optional string field of a JSON request; anything else but a string is a validation error. */
export function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('ValidationException', `${field} must be a string.`, 400);
  return value;
}

export function requiredString(input: Record<string, unknown>, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined || value === '') {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
      400,
    );
  }
  return value;
}
