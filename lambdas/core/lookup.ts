/**
 * Fresh download links by email: the rules of "Lost your link?" (handlers/lookup-orders.ts), also
 * what the operator's `uplock orders resend` uses (core/operations.ts resendOrder), so the buyer
 * and the operator get a link under exactly the same conditions.
 */
import type { TimelineEntry } from '../contract';
import { lookupEmail, type EmailMessage, type LookupEntry } from './emails';
import type { OrderId } from './ids';
import type { Lang, Order } from './order';
import { mintToken } from './tokens';

export interface LookupToken {
  readonly hash: string;
  readonly orderId: OrderId;
  readonly downloadsLeft: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly revoked: boolean;
}

export interface LookupStore {
  /** Give an order one more live download token, listed on the order so refunds revoke it too. */
  attachToken(token: LookupToken): Promise<void>;
  /** Note what happened to the order for its timeline (`uplock orders show`); best effort. */
  recordOrderEvent?(orderId: OrderId, entry: TimelineEntry): Promise<void>;
}

export interface LookupSettings {
  readonly siteUrl: string;
  readonly productName: string;
  readonly downloadLimit: number;
  readonly linkTtlHours: number;
}

export interface LookupDeps {
  readonly store: LookupStore;
  readonly mailer: { send(to: string, message: EmailMessage): Promise<void> };
  readonly settings: LookupSettings;
  readonly now?: () => number;
}

/** Why an order gets no download link; undefined when it gets one. */
export type NoLinkReason = 'not_paid' | 'refunded' | 'disputed' | 'no_result';

export function noLinkReason(order: Order): NoLinkReason | undefined {
  if (order.disputedAt) return 'disputed';
  if (order.payment === 'refunded') return 'refunded';
  if (order.payment !== 'paid') return 'not_paid';
  if (order.job !== 'done' || !order.primaryArtifact) return 'no_result';
  return undefined;
}

export function lookupState(order: Order): LookupEntry['state'] {
  if (order.payment === 'paid' || order.payment === 'refunded' || order.payment === 'pending') return order.payment;
  if (order.job === 'done') return 'ready_to_pay';
  return order.job;
}

/**
 * Email `to` the list of `orders`, each with a fresh link where one is due. Addresses with no
 * orders get nothing (sending would let anyone mail anyone). Returns the orders that got a link.
 */
export async function sendOrderLinks(to: string, orders: readonly Order[], lang: Lang, deps: LookupDeps, why: 'lookup' | 'resend' = 'lookup'): Promise<OrderId[]> {
  if (orders.length === 0) return [];
  const { settings } = deps;
  const now = (deps.now ?? Date.now)();
  const nowSeconds = Math.floor(now / 1000);
  const entries: LookupEntry[] = [];
  const linked: OrderId[] = [];
  for (const order of orders) {
    let downloadUrl: string | undefined;
    if (noLinkReason(order) === undefined) {
      const { token, hash } = mintToken();
      await deps.store.attachToken({ hash, orderId: order.orderId, downloadsLeft: settings.downloadLimit, expiresAt: nowSeconds + settings.linkTtlHours * 3600, revoked: false });
      downloadUrl = `${settings.siteUrl}/d/${token}`;
      linked.push(order.orderId);
    }
    entries.push({
      orderId: order.orderId,
      fileName: order.fileName,
      createdAt: order.createdAt,
      state: lookupState(order),
      orderUrl: `${settings.siteUrl}/order.html?id=${order.orderId}`,
      ...(downloadUrl ? { downloadUrl } : {}),
    });
  }
  await deps.mailer.send(to, lookupEmail({ lang, productName: settings.productName, entries, downloadLimit: settings.downloadLimit, linkTtlHours: settings.linkTtlHours }));
  const at = new Date(now).toISOString();
  for (const order of orders) {
    await deps.store
      .recordOrderEvent?.(order.orderId, { at, kind: 'email', detail: { template: why, link: linked.includes(order.orderId) } })
      .catch(() => undefined);
  }
  return linked;
}
