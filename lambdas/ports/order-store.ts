/**
 * Where orders, download tokens and processed Stripe events live. Every state change is one
 * conditional single-item write; a method that returns `false` means "the condition did not hold"
 * (a replay, a race lost, or an out-of-order event), never an error.
 *
 * Core declares what its functions need (DeliveryStore ⊂ EventStore, CheckoutStore); this port
 * adds what only the handlers use.
 */
import type { CheckoutStore } from '../core/checkout';
import type { DeliveryToken } from '../core/delivery';
import type { OrderId } from '../core/ids';
import type { JobStore } from '../core/job';
import type { Order } from '../core/order';
import type { EraseRequestStore, EraseStore, Tombstone } from '../core/erase';
import type { TimelineEntry } from '../contract';
import type { OperationsStore } from '../core/operations';
import type { EventStore, PaymentRecordFacts } from '../core/stripe-events';

export type PaymentRecord = PaymentRecordFacts;
export type TokenRecord = DeliveryToken;

export type ConsumeResult =
  | { ok: true; token: TokenRecord }
  | { ok: false; token?: TokenRecord };

export interface OrderStore extends EventStore, CheckoutStore, JobStore, EraseStore, EraseRequestStore, OperationsStore {
  createOrder(order: Order): Promise<void>;
  /** Mark an order as made by `uplock smoke` (Order.smoke): stats and export leave it out. */
  markSmoke(orderId: OrderId): Promise<void>;

  /** Optional where core reads it (older callers), always here. */
  getTombstone(orderId: OrderId): Promise<Tombstone | undefined>;
  recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void>;

  /** Atomically take one download if the token is live. */
  consumeToken(hash: string, nowSeconds: number): Promise<ConsumeResult>;
  /** Give an order one more live download token (lookup route): put it and list it for revocation. */
  attachToken(token: TokenRecord): Promise<void>;

  /** The most recent orders of an address (GSI byEmail), newest first. */
  ordersByEmail(email: string, limit: number): Promise<Order[]>;

  /** Count one hit in a fixed window; false when `limit` was already reached. */
  hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<boolean>;
}
