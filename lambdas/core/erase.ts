/**
 * Erasing a customer's data, on the operator's request (`uplock orders delete`) or the buyer's
 * ("Delete my data" on the order page, handlers/request-erase.ts and handlers/erase-order.ts).
 *
 * What goes: the upload, the results (every revision), the preview, the order item (with the
 * address, the payer's address and the file name) and its download-token items. What stays: a
 * tombstone with no personal data (order id, payment intent id, time), so a refund or dispute
 * Stripe sends later is recognised as belonging to an erased order (core/stripe-events.ts)
 * rather than taken for an unknown payment. The payment itself stays at Stripe (docs/operations.md).
 *
 * Any step may be killed: the tombstone is written first and the order item deleted last, so
 * running the erase again finishes it, and an order that is gone with its tombstone in place is
 * "already erased".
 */
import type { ErasedOrder } from '../contract';
import type { OrderId } from './ids';
import type { Order } from './order';

export interface Tombstone {
  readonly orderId: OrderId;
  readonly paymentIntentId?: string;
  /** ISO time of the erase. */
  readonly erasedAt: string;
}

export interface EraseStore {
  getOrder(orderId: OrderId): Promise<Order | undefined>;
  getTombstone(orderId: OrderId): Promise<Tombstone | undefined>;
  /** Write the tombstone unless one exists (a resumed erase keeps the first time). */
  putTombstone(tombstone: Tombstone): Promise<void>;
  /** The hashes of every download token the order lists. */
  tokenHashesOf(orderId: OrderId): Promise<string[]>;
  /** Delete these token items; returns how many existed. */
  deleteTokens(hashes: readonly string[]): Promise<number>;
  /** Delete the order item; false when it was already gone. */
  deleteOrder(orderId: OrderId): Promise<boolean>;
}

export interface EraseBlobs {
  /** Every object key of the order: its upload, results (all revisions) and preview. */
  orderObjects(orderId: OrderId): Promise<string[]>;
  deleteObjects(keys: readonly string[]): Promise<void>;
}

export interface EraseDeps {
  readonly store: EraseStore;
  readonly blobs: EraseBlobs;
  readonly now?: () => number;
}

export type EraseOutcome =
  | { readonly outcome: 'erased'; readonly erased: ErasedOrder }
  | { readonly outcome: 'already_erased'; readonly tombstone: Tombstone }
  | { readonly outcome: 'unknown_order' };

/** What an erase of this order would remove, without removing anything (`--dry-run`). */
export async function erasePlan(orderId: OrderId, deps: EraseDeps): Promise<EraseOutcome> {
  const order = await deps.store.getOrder(orderId);
  if (!order) return gone(orderId, deps);
  const [hashes, objects] = await Promise.all([deps.store.tokenHashesOf(orderId), deps.blobs.orderObjects(orderId)]);
  const erasedAt = new Date((deps.now ?? Date.now)()).toISOString();
  return { outcome: 'erased', erased: erasedOrder(order, hashes.length, objects, erasedAt) };
}

export async function eraseOrder(orderId: OrderId, deps: EraseDeps): Promise<EraseOutcome> {
  const order = await deps.store.getOrder(orderId);
  if (!order) return gone(orderId, deps);
  const earlier = await deps.store.getTombstone(orderId);
  const tombstone: Tombstone = {
    orderId,
    ...(order.paymentIntentId ? { paymentIntentId: order.paymentIntentId } : {}),
    erasedAt: earlier?.erasedAt ?? new Date((deps.now ?? Date.now)()).toISOString(),
  };
  await deps.store.putTombstone(tombstone);
  const tokens = await deps.store.deleteTokens(await deps.store.tokenHashesOf(orderId));
  const objects = await deps.blobs.orderObjects(orderId);
  await deps.blobs.deleteObjects(objects);
  await deps.store.deleteOrder(orderId);
  return { outcome: 'erased', erased: erasedOrder(order, tokens, objects, tombstone.erasedAt) };
}

async function gone(orderId: OrderId, deps: EraseDeps): Promise<EraseOutcome> {
  const tombstone = await deps.store.getTombstone(orderId);
  return tombstone ? { outcome: 'already_erased', tombstone } : { outcome: 'unknown_order' };
}

function erasedOrder(order: Order, tokens: number, objects: string[], erasedAt: string): ErasedOrder {
  return {
    orderId: order.orderId,
    removed: { order: true, tokens, objects },
    tombstone: { orderId: order.orderId, ...(order.paymentIntentId ? { paymentIntentId: order.paymentIntentId } : {}), erasedAt },
  };
}

/** The buyer's confirmation link: one item per request, found by the hash of its secret. */
export interface EraseRequestRecord {
  readonly hash: string;
  readonly orderId: OrderId;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export interface EraseRequestStore {
  putEraseRequest(record: EraseRequestRecord): Promise<void>;
  getEraseRequest(hash: string): Promise<EraseRequestRecord | undefined>;
  deleteEraseRequest(hash: string): Promise<void>;
}
