/** GET /api/orders/{orderId}: the order's public view; the page polls it. */
import { blobStore } from '../adapters/s3-blob-store';
import { orderStore } from '../adapters/dynamo-order-store';
import { paymentsOnDemand } from '../adapters/payments-on-demand';
import { loadConfig } from '../config';
import { parseOrderId } from '../core/ids';
import { openCheckout } from '../core/checkout';
import { orderView, type Order } from '../core/order';
import { payUrlFor } from '../core/payment';
import { HttpError, httpHandler, json } from './http';

const config = loadConfig();
const store = orderStore();
const blobs = blobStore();
// Stripe only in checkout-session mode, only once a preview is ready: loaded then, not on every cold start.
const payments = paymentsOnDemand();

async function payUrlOf(order: Order): Promise<string | undefined> {
  if (order.job !== 'done' || order.payment !== 'unpaid') return undefined;
  if (config.stripe.paymentMode === 'checkout-session') {
    if (!config.stripe.priceId) throw new Error('checkout-session mode needs stripe.priceId in config');
    return openCheckout(order, { payments, store, priceId: config.stripe.priceId, siteUrl: config.siteUrl });
  }
  return config.stripe.paymentLinkUrl ? payUrlFor(config.stripe.paymentLinkUrl, order.orderId) : undefined;
}

export const handler = httpHandler('get-order', async (event) => {
  const orderId = parseOrderId(event.pathParameters?.orderId);
  if (!orderId) throw new HttpError(400, 'invalid_order_id', 'That is not a valid order number.');
  const order = await store.getOrder(orderId);
  if (!order) throw new HttpError(404, 'order_not_found', 'We have no order with that number.');
  const preview = order.job === 'done' ? await blobs.getPreview(orderId) : undefined;
  const payUrl = await payUrlOf(order);
  return json(200, orderView(order, { preview, ...(payUrl ? { payUrl } : {}) }));
});
