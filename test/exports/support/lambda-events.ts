/**
 * Lambda events and contexts as AWS builds them, for invoking the export handlers outside the
 * stack (in the test process, or in a child process that must not load vitest).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { lambdaContext as lambdaContextOf } from '../../support/lambda-context';

export const REGION = 'us-east-1';
const PLATFORM_ACCOUNT = '111111111111';

/** One SQS record, as the event source mapping hands it to the worker. */
export function sqsEvent(body: string): SQSEvent {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomBytes(8).toString('hex'),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: PLATFORM_ACCOUNT,
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${REGION}:${PLATFORM_ACCOUNT}:ExportQueue`,
        awsRegion: REGION,
      },
    ],
  };
}

/** A Lambda context of the export worker whose invocation ends `remainingMs` from now. */
export const lambdaContext = (remainingMs: number): Context => lambdaContextOf(remainingMs, 'runExportJob');

/** An HTTP API (payload 2.0) event for an API handler, as API Gateway builds it. */
export function apiEvent(request: {
  method: string;
  path: string;
  pathParameters: Record<string, string>;
  token: string;
  body?: unknown;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: '',
    headers: {
      authorization: `Bearer ${request.token}`,
      ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    pathParameters: request.pathParameters,
    requestContext: {
      accountId: PLATFORM_ACCOUNT,
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: randomUUID(),
      routeKey: `${request.method} ${request.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    isBase64Encoded: false,
  };
}
