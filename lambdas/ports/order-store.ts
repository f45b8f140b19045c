/**
 * Where orders, download tokens and processed Stripe events live. Every state change is one
 * conditional single-item write; a method that returns `false` means "the condition did not hold"
 * (a replay, a race lost, or an out-of-order event), never an error.
 */
import type { EventStore } from '../core/stripe-events';
import type { OrderId } from '../core/ids';
import type { JobError, Order, PaymentState } from '../core/order';

export interface PaymentRecord {
  readonly sessionId: string;
  readonly paymentIntentId?: string;
  readonly amount: number;
  readonly currency: string;
  readonly payerEmail?: string;
}

export interface TokenRecord {
  readonly hash: string;
  readonly orderId: OrderId;
  readonly downloadsLeft: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly revoked: boolean;
}

export type ConsumeResult =
  | { ok: true; token: TokenRecord }
  | { ok: false; token?: TokenRecord };

export interface OrderStore extends EventStore {
  createOrder(order: Order): Promise<void>;
  getOrder(orderId: OrderId): Promise<Order | undefined>;

  /** awaiting_upload → processing. */
  startJob(orderId: OrderId): Promise<boolean>;
  /** processing → done. */
  finishJob(orderId: OrderId, primaryArtifact: string): Promise<boolean>;
  /** awaiting_upload | processing → failed. */
  failJob(orderId: OrderId, error: JobError): Promise<boolean>;

  /** Move payment to `to` if the current state may precede it; records the session facts. */
  setPayment(orderId: OrderId, to: PaymentState, record?: PaymentRecord, opts?: { onlySession?: string }): Promise<boolean>;

  /** Checkout-session mode: store the order's open session, unless another was stored meanwhile. */
  setCheckoutSession(orderId: OrderId, session: { id: string; url: string; expiresAt: number }, replacing?: string): Promise<boolean>;

  /** Take the delivery claim if delivery is due and no live claim exists. */
  claimDelivery(orderId: OrderId, claimId: string, now: number, staleBefore: number): Promise<boolean>;
  /** Give a claim back after a failure we know about, so the next attempt need not wait. */
  releaseDelivery(orderId: OrderId, claimId: string): Promise<void>;
  markDelivered(orderId: OrderId, claimId: string, tokenHash: string, at: string): Promise<boolean>;

  putToken(token: TokenRecord): Promise<void>;
  /** Atomically take one download if the token is live. */
  consumeToken(hash: string, nowSeconds: number): Promise<ConsumeResult>;
  revokeTokens(orderId: OrderId): Promise<number>;

  /** Give an order one more live download token (lookup route): put it and list it for revocation. */
  attachToken(token: TokenRecord): Promise<void>;

  /** The most recent orders of an address (GSI byEmail), newest first. */
  ordersByEmail(email: string, limit: number): Promise<Order[]>;

  /** Count one hit in a fixed window; false when `limit` was already reached. */
  hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<boolean>;

}
