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
import { lookupEmail, type LookupEntry } from '../core/emails';
import type { Order } from '../core/order';
import { mintToken } from '../core/tokens';
import { isEmail } from '../core/validation';
import { HttpError, httpHandler, json, jsonBody } from './http';

const config = loadConfig();
const store = orderStore();
const mailer = sesMailer();

/** At most this many lookups per address per hour (each sends an email) and per client. */
export const LOOKUP_LIMITS = { perAddressPerHour: 3, perClientPerHour: 20 } as const;
const MAX_ORDERS_LISTED = 20;

const requestSchema = z.object({ email: z.string(), lang: z.optional(z.string()) });

const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

function stateOf(order: Order): LookupEntry['state'] {
  if (order.payment === 'paid' || order.payment === 'refunded' || order.payment === 'pending') return order.payment;
  if (order.job === 'done') return 'ready_to_pay';
  return order.job;
}

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
  const nowSeconds = Math.floor(Date.now() / 1000);
  const entries: LookupEntry[] = [];
  for (const order of orders) {
    let downloadUrl: string | undefined;
    if (order.payment === 'paid' && order.job === 'done' && order.primaryArtifact && !order.disputedAt) {
      const { token, hash } = mintToken();
      await store.attachToken({ hash, orderId: order.orderId, downloadsLeft: config.downloadLimit, expiresAt: nowSeconds + config.linkTtlHours * 3600, revoked: false });
      downloadUrl = `${config.siteUrl}/d/${token}`;
    }
    entries.push({
      orderId: order.orderId,
      fileName: order.fileName,
      createdAt: order.createdAt,
      state: stateOf(order),
      orderUrl: `${config.siteUrl}/order.html?id=${order.orderId}`,
      ...(downloadUrl ? { downloadUrl } : {}),
    });
  }
  // Addresses with no orders get no email: sending one would let anyone mail anyone.
  if (entries.length) {
    await mailer.send(email, lookupEmail({ lang: orders[0]?.lang ?? lang, productName: config.product.name, entries, downloadLimit: config.downloadLimit, linkTtlHours: config.linkTtlHours }));
  }
  logger.info('lookup handled', { orders: entries.length });
  return json(202, { accepted: true, message: 'If we have orders for this address, we have sent an email with links to them.' });
});
