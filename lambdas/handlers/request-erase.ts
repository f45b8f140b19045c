/**
 * POST /api/orders/{orderId}/erase-request ("Delete my data" on the order page): 202 with the same
 * answer whether or not the order exists, so the route tells nobody which order ids are real. The
 * order's own address gets a confirmation link (core/erase.ts requestErase); nothing is erased
 * here. Rate-limited per order (each request sends an email) and per client.
 */
import { createHash } from 'node:crypto';
import { orderStore } from '../adapters/dynamo-order-store';
import { logger } from '../adapters/observability';
import { mailer as sesMailer } from '../adapters/ses-mailer';
import { loadConfig } from '../config';
import type { EraseRequest } from '../contract';
import { ERASE_REQUEST_LIMITS, requestErase } from '../core/erase';
import { parseOrderId } from '../core/ids';
import { HttpError, httpHandler, json, jsonBody } from './http';

const config = loadConfig();
const store = orderStore();
const mailer = sesMailer();


const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

export const handler = httpHandler('request-erase', async (event) => {
  const orderId = parseOrderId(event.pathParameters?.orderId);
  if (!orderId) throw new HttpError(400, 'invalid_order_id', 'This is not an order number.');
  const body = jsonBody(event) as Partial<EraseRequest> | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid_request', 'Expected a JSON object, e.g. {}.');

  // Hashed keys: the table never holds IPs in rate-limit items.
  if (!(await store.hitRateLimit(`erase-client#${hashed(event.requestContext.http.sourceIp)}`, ERASE_REQUEST_LIMITS.perClientPerHour, 3600))) {
    throw new HttpError(429, 'too_many_requests', 'Too many requests. Please try again in an hour.');
  }
  if (!(await store.hitRateLimit(`erase-order#${orderId}`, ERASE_REQUEST_LIMITS.perOrderPerHour, 3600))) {
    throw new HttpError(429, 'too_many_requests', 'We have already emailed a confirmation link for this order several times. Please use the latest one, or try again in an hour.');
  }
  const sent = await requestErase(orderId, { store, mailer, settings: { siteUrl: config.siteUrl, productName: config.product.name } });
  logger.info('erase requested', { orderId, sent });
  return json(202, { accepted: true, message: 'We have emailed a confirmation link to the address of this order. Nothing is deleted until you press the button on that page.' });
});
