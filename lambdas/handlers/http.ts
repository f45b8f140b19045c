/**
 * The HTTP edge shared by every API handler: API Gateway HTTP API (payload v2) in, JSON out.
 * Errors a caller sees are deliberate (`code` + message for a person); anything unexpected is
 * logged with context and becomes a generic 500, so no stack or SDK text leaks.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../adapters/observability';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const errorResult = (statusCode: number, code: string, message: string): HttpResult =>
  json(statusCode, { error: { code, message } });

/** The body exactly as the client sent it (API Gateway base64-encodes binary payloads). */
export function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Largest JSON body the API accepts; API Gateway allows far more, we need a few hundred bytes. */
const MAX_JSON_BYTES = 16 * 1024;

/**
 * The JSON body of a POST. Only `application/json` is read: a browser sends that type
 * cross-origin only after a CORS preflight, which this API never grants, so another site cannot
 * create orders or trigger lookup emails with a form post or a `text/plain` fetch.
 */
export function jsonBody(event: HttpEvent): unknown {
  const mediaType = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json.');
  }
  const text = rawBody(event);
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new HttpError(413, 'body_too_large', 'The request body is too large.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body must be JSON.');
  }
}

export const header = (event: HttpEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

/** Wrap a handler: HttpError → its response; anything else → logged, generic 500. */
export function httpHandler(
  name: string,
  fn: (event: HttpEvent, context: Context) => Promise<HttpResult>,
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  return async (event, context) => {
    try {
      return await fn(event, context);
    } catch (error) {
      if (error instanceof HttpError) return errorResult(error.statusCode, error.code, error.message);
      logger.error('unhandled error', { handler: name, path: event.rawPath, error: error as Error });
      return errorResult(500, 'internal_error', 'Something went wrong on our side. Please try again in a minute.');
    }
  };
}
