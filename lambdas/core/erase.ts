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
import type { ErasedOrder, TimelineEntry } from '../contract';
import { eraseConfirmationEmail, type EmailMessage } from './emails';
import type { OrderId } from './ids';
import type { Order } from './order';
import { mintToken } from './tokens';

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
  /** The job (or a rerun) is writing results right now: erasing would leave its files behind. */
  | { readonly outcome: 'job_running'; readonly until: string }
  | { readonly outcome: 'unknown_order' };

/** When a running job's or rerun's claim lapses, if one is live now (epoch ms). */
function runningUntil(order: Order, now: number): number | undefined {
  const claims = [order.job === 'processing' ? order.jobClaim?.expiresAt : undefined, order.rerunClaim?.expiresAt];
  const live = claims.filter((at): at is number => at !== undefined && at > now);
  return live.length ? Math.max(...live) : undefined;
}

/** What an erase of this order would remove, without removing anything (`--dry-run`). */
export async function erasePlan(orderId: OrderId, deps: EraseDeps): Promise<EraseOutcome> {
  const order = await deps.store.getOrder(orderId);
  if (!order) return gone(orderId, deps);
  const until = runningUntil(order, (deps.now ?? Date.now)());
  if (until !== undefined) return { outcome: 'job_running', until: new Date(until).toISOString() };
  const [hashes, objects] = await Promise.all([deps.store.tokenHashesOf(orderId), deps.blobs.orderObjects(orderId)]);
  const erasedAt = new Date((deps.now ?? Date.now)()).toISOString();
  return { outcome: 'erased', erased: erasedOrder(order, hashes.length, objects, erasedAt) };
}

export async function eraseOrder(orderId: OrderId, deps: EraseDeps): Promise<EraseOutcome> {
  const order = await deps.store.getOrder(orderId);
  if (!order) return gone(orderId, deps);
  // A job still writing results would leave them behind the erase: wait for it (minutes at most).
  const until = runningUntil(order, (deps.now ?? Date.now)());
  if (until !== undefined) return { outcome: 'job_running', until: new Date(until).toISOString() };
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

export interface EraseRequestDeps {
  readonly store: EraseRequestStore & { getOrder(orderId: OrderId): Promise<Order | undefined>; recordOrderEvent?(orderId: OrderId, entry: TimelineEntry): Promise<void> };
  readonly mailer: { send(to: string, message: EmailMessage): Promise<void> };
  readonly settings: { readonly siteUrl: string; readonly productName: string };
  readonly now?: () => number;
}

/** At most this many confirmation emails per order per hour, and requests per client per hour. */
export const ERASE_REQUEST_LIMITS = { perOrderPerHour: 3, perClientPerHour: 20 } as const;

/** How long the buyer's confirmation link works. */
export const ERASE_LINK_HOURS = 24;

/**
 * "Delete my data" on the order page: email the order's own address a link to a confirmation
 * page (whose button erases, with a POST: mail scanners that follow links erase nothing). Only
 * the address's owner can confirm. False when there is no such order (the caller answers the
 * same either way).
 */
export async function requestErase(orderId: OrderId, deps: EraseRequestDeps): Promise<boolean> {
  const order = await deps.store.getOrder(orderId);
  if (!order) return false;
  const now = (deps.now ?? Date.now)();
  const { token, hash } = mintToken();
  await deps.store.putEraseRequest({ hash, orderId, expiresAt: Math.floor(now / 1000) + ERASE_LINK_HOURS * 3600 });
  await deps.mailer.send(
    order.email,
    eraseConfirmationEmail({
      lang: order.lang,
      productName: deps.settings.productName,
      orderId,
      confirmUrl: `${deps.settings.siteUrl}/erase.html?t=${token}`,
      validHours: ERASE_LINK_HOURS,
    }),
  );
  const at = new Date(now).toISOString();
  await deps.store.recordOrderEvent?.(orderId, { at, kind: 'erase_requested' }).catch(() => undefined);
  await deps.store.recordOrderEvent?.(orderId, { at, kind: 'email', detail: { template: 'erase_confirmation', to: order.email } }).catch(() => undefined);
  return true;
}

export type ConfirmEraseOutcome = { readonly outcome: 'erased'; readonly orderId: OrderId } | { readonly outcome: 'invalid' | 'expired' | 'job_running' };

/**
 * The confirmation page's button. The link stays usable until it expires, so a second press (or
 * a retry after a lost answer) says "erased" again instead of "invalid".
 */
export async function confirmErase(hash: string, deps: EraseDeps & { store: EraseStore & EraseRequestStore }): Promise<ConfirmEraseOutcome> {
  const request = await deps.store.getEraseRequest(hash);
  if (!request) return { outcome: 'invalid' };
  if (request.expiresAt <= Math.floor((deps.now ?? Date.now)() / 1000)) return { outcome: 'expired' };
  const result = await eraseOrder(request.orderId, deps);
  if (result.outcome === 'unknown_order') {
    await deps.store.deleteEraseRequest(hash);
    return { outcome: 'invalid' };
  }
  if (result.outcome === 'job_running') return { outcome: 'job_running' };
  return { outcome: 'erased', orderId: request.orderId };
}
