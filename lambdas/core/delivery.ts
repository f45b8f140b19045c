/**
 * deliverIfDue: the one path that completes an order, called by whichever of "job done" and
 * "paid" arrives second (and by the sweeper). Exactly-once in effect: a conditional claim lets one
 * caller through; a known failure gives the claim back so the caller's retry can deliver; a crash
 * leaves a claim that expires (DELIVERY_CLAIM_TTL_MS) and the next attempt delivers. Every attempt
 * mails the same link, so a crash between the email and the mark costs at worst the same email
 * twice, never a second link.
 *
 * Core declares the narrow capabilities it needs; ports/ composes them into the full interfaces.
 */
import { randomUUID } from 'node:crypto';
import { deliveryEmail, type EmailMessage } from './emails';
import type { Fault } from './faults';
import type { OrderId } from './ids';
import { DELIVERY_CLAIM_TTL_MS, deliveryDue, type Order } from './order';
import { deliveryToken } from './tokens';

export interface DeliveryToken {
  readonly hash: string;
  readonly orderId: OrderId;
  readonly downloadsLeft: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly revoked: boolean;
}

export interface DeliveryStore {
  getOrder(orderId: OrderId): Promise<Order | undefined>;
  /** Take the delivery claim if delivery is due and no claim newer than `staleBefore` exists. */
  claimDelivery(orderId: OrderId, claimId: string, now: number, staleBefore: number): Promise<boolean>;
  /** Give a claim back after a failure we know about, so the next attempt need not wait. */
  releaseDelivery(orderId: OrderId, claimId: string): Promise<void>;
  markDelivered(orderId: OrderId, claimId: string, tokenHash: string, at: string): Promise<boolean>;
  /**
   * Write a token item unless one with this hash exists; an existing one (an earlier attempt of
   * the same delivery, or the SDK's retry of a write whose reply was lost) is kept as it is, so a
   * retry never resets its count or undoes a revocation.
   */
  putToken(token: DeliveryToken): Promise<void>;
}

export interface DeliveryMailer {
  send(to: string, message: EmailMessage): Promise<void>;
}

export interface DeliverySettings {
  readonly siteUrl: string;
  readonly productName: string;
  readonly downloadLimit: number;
  readonly linkTtlHours: number;
  /** How long a claim blocks other attempts (default DELIVERY_CLAIM_TTL_MS). */
  readonly claimTtlMs?: number;
}

export type DeliveryOutcome = 'delivered' | 'not_due' | 'claimed_elsewhere' | 'unknown_order';

export interface DeliveryDeps {
  readonly store: DeliveryStore;
  readonly mailer: DeliveryMailer;
  readonly settings: DeliverySettings;
  /** The key download tokens are derived with (tokens.ts deliveryToken). */
  readonly tokenKey: () => Promise<Uint8Array>;
  readonly fault?: Fault;
  readonly now?: () => number;
  /** Logs (Powertools in AWS): a claim taken over from a crashed attempt is worth a warning. */
  readonly report?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

/** An order is delivered once: its link is the token of delivery number 1 (tokens.ts). */
const FIRST_DELIVERY = 1;

export async function deliverIfDue(orderId: OrderId, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const now = deps.now ?? Date.now;
  const fault = deps.fault ?? (() => undefined);
  const order = await deps.store.getOrder(orderId);
  if (!order) return 'unknown_order';
  const claimTtlMs = deps.settings.claimTtlMs ?? DELIVERY_CLAIM_TTL_MS;
  if (!deliveryDue(order, now(), claimTtlMs)) return order.deliveryClaim && !order.deliveredAt ? 'claimed_elsewhere' : 'not_due';

  const claimId = randomUUID();
  const claimedAt = now();
  if (!(await deps.store.claimDelivery(orderId, claimId, claimedAt, claimedAt - claimTtlMs))) {
    // A refused condition may be our own write: the SDK retries a request whose reply was lost,
    // and the retry then finds our claim in place. Read back before calling it a lost race.
    const after = await deps.store.getOrder(orderId);
    if (after?.deliveryClaim?.id !== claimId) return 'claimed_elsewhere';
  }
  if (order.deliveryClaim) {
    // An earlier attempt claimed and never marked the order: it died (or its claim ran out).
    deps.report?.('warn', 'delivery claim taken over from an attempt that did not finish', { orderId, staleClaimAt: order.deliveryClaim.at });
  }
  await fault('delivery:claimed');
  let tokenHash: string;
  try {
    const { token, hash } = deliveryToken(await deps.tokenKey(), orderId, FIRST_DELIVERY);
    const { settings } = deps;
    await deps.store.putToken({
      hash,
      orderId,
      downloadsLeft: settings.downloadLimit,
      expiresAt: Math.floor(claimedAt / 1000 + settings.linkTtlHours * 3600),
      revoked: false,
    });
    await fault('delivery:token-written');
    const message = deliveryEmail({
      lang: order.lang,
      productName: settings.productName,
      orderId,
      fileName: order.fileName,
      downloadUrl: `${settings.siteUrl}/d/${token}`,
      files: order.resultFiles ?? (order.primaryArtifact === undefined ? [] : [order.primaryArtifact]),
      downloadLimit: settings.downloadLimit,
      linkTtlHours: settings.linkTtlHours,
      orderUrl: `${settings.siteUrl}/order.html?id=${orderId}`,
    });
    await deps.mailer.send(order.payerEmail ?? order.email, message);
    tokenHash = hash;
  } catch (error) {
    await deps.store.releaseDelivery(orderId, claimId).catch(() => undefined);
    throw error;
  }
  await fault('delivery:sent');
  // The email is out: if recording that fails, the claim must stay (it blocks until it expires)
  // rather than be released, so no retry sends it again at once; one that does after the claim
  // expired sends the same link (the token is derived, not random).
  await deps.store.markDelivered(orderId, claimId, tokenHash, new Date(now()).toISOString());
  return 'delivered';
}
