/**
 * Checkout-session mode (config stripe.paymentMode = 'checkout-session'): instead of one shared
 * Payment Link, the API opens one Checkout Session per order at the server-side price, and reuses
 * it while it is open, so a customer who reloads the page never gets a second session to pay.
 */
import type { OrderId } from './ids';
import type { Order } from './order';

export interface CheckoutRequest {
  readonly orderId: string;
  readonly email: string;
  readonly priceId: string;
  readonly successUrl: string;
  readonly cancelUrl: string;
  readonly idempotencyKey: string;
}

/** An open Checkout Session; `expiresAt` in epoch seconds. */
export interface OpenCheckout {
  readonly id: string;
  readonly url: string;
  readonly expiresAt: number;
}

export interface CheckoutPorts {
  createCheckoutSession(request: CheckoutRequest): Promise<OpenCheckout>;
}

export interface CheckoutStore {
  setCheckoutSession(orderId: OrderId, session: OpenCheckout, replacing?: string): Promise<boolean>;
  getOrder(orderId: OrderId): Promise<Order | undefined>;
}

/** A session this close to expiry is not handed out: the customer needs time to pay. */
const MIN_REMAINING_SECONDS = 10 * 60;

export async function openCheckout(
  order: Order,
  deps: { payments: CheckoutPorts; store: CheckoutStore; priceId: string; siteUrl: string; nowSeconds?: number },
): Promise<string> {
  const now = deps.nowSeconds ?? Math.floor(Date.now() / 1000);
  const current = order.checkoutSession;
  if (current && current.expiresAt - now > MIN_REMAINING_SECONDS) return current.url;
  const created = await deps.payments.createCheckoutSession({
    orderId: order.orderId,
    email: order.email,
    priceId: deps.priceId,
    successUrl: `${deps.siteUrl}/order.html?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${deps.siteUrl}/order.html?id=${order.orderId}`,
    // Concurrent page loads ask Stripe with the same key and get the same session back.
    idempotencyKey: `uplock-checkout-${order.orderId}-${current?.id ?? 'first'}`,
  });
  if (await deps.store.setCheckoutSession(order.orderId, created, current?.id)) return created.url;
  // Another request stored a session first: use that one.
  const fresh = await deps.store.getOrder(order.orderId);
  return fresh?.checkoutSession?.url ?? created.url;
}
