/** GET /api/orders/{orderId}: the order's public view; the page polls it. */
import { deps } from '../adapters/wiring';
import { parseOrderId } from '../core/ids';
import { orderView } from '../core/order';
import { payUrlFor } from '../core/payment';
import { HttpError, httpHandler, json } from './http';

const { config, store, blobs } = deps();

export const handler = httpHandler('get-order', async (event) => {
  const orderId = parseOrderId(event.pathParameters?.orderId);
  if (!orderId) throw new HttpError(400, 'invalid_order_id', 'That is not a valid order number.');
  const order = await store.getOrder(orderId);
  if (!order) throw new HttpError(404, 'order_not_found', 'We have no order with that number.');
  const preview = order.job === 'done' ? await blobs.getPreview(orderId) : undefined;
  const payUrl =
    order.job === 'done' && order.payment === 'unpaid' && config.stripe.paymentLinkUrl
      ? payUrlFor(config.stripe.paymentLinkUrl, orderId, order.email)
      : undefined;
  return json(200, orderView(order, { preview, ...(payUrl ? { payUrl } : {}) }));
});
