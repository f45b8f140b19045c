/**
 * POST /api/orders/lookup ("Lost your link?"): always 202 with the same neutral answer, so the
 * route tells nobody whether an address has orders. The address itself gets an email listing its
 * orders, with fresh download links for paid ones. Rate-limited per address and per client.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { orderStore } from '../adapters/dynamo-order-store';
import { mailer as sesMailer } from '../adapters/ses-mailer';
import { loadConfig } from '../config';
import { logger } from '../adapters/observability';
import { sendOrderLinks } from '../core/lookup';
import { deliverySettings } from '../adapters/settings';
import { isEmail } from '../core/validation';
import { HttpError, httpHandler, json, jsonBody } from './http';

const config = loadConfig();
const store = orderStore();
const mailer = sesMailer();
const settings = deliverySettings(config);

/** At most this many lookups per address per hour (each sends an email) and per client. */
export const LOOKUP_LIMITS = { perAddressPerHour: 3, perClientPerHour: 20 } as const;
const MAX_ORDERS_LISTED = 20;

const requestSchema = z.object({ email: z.string(), lang: z.optional(z.string()) });

const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

export const handler = httpHandler('lookup-orders', async (event) => {
  const parsed = requestSchema.safeParse(jsonBody(event));
  const email = parsed.success ? parsed.data.email.trim().toLowerCase() : '';
  if (!isEmail(email)) throw new HttpError(400, 'invalid_email', 'Please enter a valid email address.');
  const lang = parsed.success && parsed.data.lang === 'ja' ? 'ja' : 'en';

  const client = event.requestContext.http.sourceIp;
  // Hashed keys: the table never holds addresses or IPs in rate-limit items.
  if (!(await store.hitRateLimit(`lookup-client#${hashed(client)}`, LOOKUP_LIMITS.perClientPerHour, 3600))) {
    throw new HttpError(429, 'too_many_requests', 'Too many requests. Please try again in an hour.');
  }
  if (!(await store.hitRateLimit(`lookup-email#${hashed(email)}`, LOOKUP_LIMITS.perAddressPerHour, 3600))) {
    throw new HttpError(429, 'too_many_requests', 'Too many requests for this address. Please try again in an hour.');
  }

  const orders = await store.ordersByEmail(email, MAX_ORDERS_LISTED);
  await sendOrderLinks(email, orders, orders[0]?.lang ?? lang, { store, mailer, settings });
  logger.info('lookup handled', { orders: orders.length });
  return json(202, { accepted: true, message: 'If we have orders for this address, we have sent an email with links to them.' });
});
