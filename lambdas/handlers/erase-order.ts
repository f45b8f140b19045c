/**
 * POST /api/erase/{token}: the button on erase.html, the page the buyer's confirmation email
 * links to. Opening that page erases nothing (mail scanners follow links); this POST, with a JSON
 * body, does (core/erase.ts confirmErase): 200 `{orderId, erased: true}`, also when pressed again;
 * 404 for a link we did not send, 410 once it has expired, 409 while the job is still running.
 */
import { createHash } from 'node:crypto';
import { orderStore } from '../adapters/dynamo-order-store';
import { logger } from '../adapters/observability';
import { blobStore } from '../adapters/s3-blob-store';
import type { EraseResult } from '../contract';
import { confirmErase } from '../core/erase';
import { parseDownloadToken } from '../core/ids';
import { hashToken } from '../core/tokens';
import { HttpError, httpHandler, json, jsonBody } from './http';

const store = orderStore();
const blobs = blobStore();

/** Presses per client per hour: enough for a person, too few to guess links (256 bits anyway). */
export const ERASE_CONFIRM_LIMIT_PER_CLIENT = 30;

const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

export const handler = httpHandler('erase-order', async (event) => {
  // Confirmation links carry a 256-bit token like a download link's (core/tokens.ts mintToken).
  const token = parseDownloadToken(event.pathParameters?.token);
  jsonBody(event);
  if (!(await store.hitRateLimit(`erase-confirm#${hashed(event.requestContext.http.sourceIp)}`, ERASE_CONFIRM_LIMIT_PER_CLIENT, 3600))) {
    throw new HttpError(429, 'too_many_requests', 'Too many requests. Please try again in an hour.');
  }
  const result = token ? await confirmErase(hashToken(token), { store, blobs }) : ({ outcome: 'invalid' } as const);
  switch (result.outcome) {
    case 'invalid':
      throw new HttpError(404, 'erase_link_invalid', 'We do not recognise this link. Open the whole link from the email, or ask again from your order page.');
    case 'expired':
      throw new HttpError(410, 'erase_link_expired', 'This link has expired. Ask again from your order page.');
    case 'job_running':
      throw new HttpError(409, 'job_running', 'Your file is being analysed right now. Please press the button again in a few minutes.');
    case 'erased': {
      logger.info('order erased at the buyer\'s request', { orderId: result.orderId });
      const body: EraseResult = { orderId: result.orderId, erased: true };
      return json(200, body);
    }
  }
});
