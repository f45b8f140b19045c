import type { IncomingMessage, ServerResponse } from 'node:http';
import { StripeApiError } from './errors.js';

/** Reads the whole body up to `limit` bytes; larger bodies are refused, not truncated. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new StripeApiError(413, 'invalid_request_error', 'Request body too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * `redirectOrigins`: where the form's POST may redirect to. Chromium applies `form-action` to the
 * redirect after the POST too, so the success URL's origin must be listed or the browser stops
 * on the payment page.
 */
export function sendHtml(res: ServerResponse, status: number, html: string, redirectOrigins: readonly string[] = []): void {
  const formAction = ["'self'", ...redirectOrigins].join(' ');
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    // The page has no script at all; say so.
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
