/**
 * Payments (lambdas/ports/payments.ts) in memory: completed sessions and events as Stripe lists
 * them (newest first, pages of 100, `starting_after`), refunds with Stripe's idempotency-key
 * semantics, and the errors the adapter maps Stripe's to. Signature checks are the adapter's
 * (tested against the stand-in), so `verifyEvent` is not offered here.
 */
import type { CheckoutRequest, OpenCheckout } from '../../../lambdas/core/checkout';
import type { RefundRequest, SessionFacts } from '../../../lambdas/core/payment';
import type { ListedEvent } from '../../../lambdas/core/sweep';
import { PaymentsError, type Payments, type StripeEventFacts } from '../../../lambdas/ports/payments';

export interface Refund extends RefundRequest {
  readonly id: string;
}

const PAGE = 100;

export class InMemoryPayments implements Payments {
  /** Sessions in the order they were created. */
  readonly sessions: (SessionFacts & { created: number })[] = [];
  readonly events: ListedEvent[] = [];
  /** Refunds Stripe made (one per idempotency key). */
  readonly refunds: Refund[] = [];
  readonly knownPaymentIntents = new Set<string>();
  /** Calls by method, to assert what the sweep asked of Stripe. */
  readonly calls: Record<string, number> = {};
  /** The next `refund` fails as Stripe being unreachable would. */
  failNextRefund = false;
  private readonly byKey = new Map<string, Refund>();

  private call(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  addSession(session: SessionFacts, created: number): void {
    this.sessions.push({ ...session, created });
    const pi = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
    if (pi) this.knownPaymentIntents.add(pi);
  }

  addEvent(event: ListedEvent): void {
    this.events.push(event);
  }

  async verifyEvent(): Promise<StripeEventFacts> {
    throw new Error('InMemoryPayments does not verify signatures (the adapter does, against the stand-in)');
  }

  async retrieveSession(sessionId: string): Promise<SessionFacts | undefined> {
    this.call('retrieveSession');
    return this.sessions.find((s) => s.id === sessionId);
  }

  async refund(request: RefundRequest): Promise<{ id: string; status: string }> {
    this.call('refund');
    if (this.failNextRefund) {
      this.failNextRefund = false;
      throw new PaymentsError('unavailable', 'refund: Stripe could not be reached');
    }
    const earlier = this.byKey.get(request.idempotencyKey);
    if (earlier) return { id: earlier.id, status: 'succeeded' };
    if (!this.knownPaymentIntents.has(request.paymentIntentId)) {
      throw new PaymentsError('refused', `refund: No such payment_intent: '${request.paymentIntentId}'`, 'resource_missing');
    }
    const refund = { ...request, id: `re_${this.refunds.length + 1}` };
    this.refunds.push(refund);
    this.byKey.set(request.idempotencyKey, refund);
    return { id: refund.id, status: 'succeeded' };
  }

  async *listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts> {
    for await (const page of this.completedSessionPages(opts)) yield* page;
  }

  async *completedSessionPages(opts: { paymentLinkId?: string; sinceSeconds: number; startingAfter?: string }): AsyncIterable<readonly SessionFacts[]> {
    const linkOf = (s: SessionFacts) => (typeof s.payment_link === 'object' && s.payment_link ? s.payment_link.id : s.payment_link);
    const listed = [...this.sessions]
      .reverse()
      .filter((s) => s.status === 'complete' && s.created >= opts.sinceSeconds && (opts.paymentLinkId === undefined || linkOf(s) === opts.paymentLinkId));
    let start = 0;
    if (opts.startingAfter !== undefined) {
      const at = listed.findIndex((s) => s.id === opts.startingAfter);
      // Stripe answers 404 for a cursor it does not know.
      if (at < 0) throw new PaymentsError('refused', `list checkout sessions: No such checkout.session: '${opts.startingAfter}'`, 'resource_missing');
      start = at + 1;
    }
    for (let i = start; i < listed.length; i += PAGE) {
      this.call('listSessionsPage');
      yield listed.slice(i, i + PAGE).map(({ created: _created, ...session }) => session);
    }
  }

  async *listEvents(opts: { types: readonly string[]; sinceSeconds: number }): AsyncIterable<ListedEvent> {
    this.call('listEvents');
    yield* [...this.events].reverse().filter((e) => opts.types.includes(e.type) && e.created >= opts.sinceSeconds);
  }

  async createCheckoutSession(request: CheckoutRequest): Promise<OpenCheckout> {
    this.call('createCheckoutSession');
    const id = `cs_test_${request.idempotencyKey}`;
    return { id, url: `https://checkout.stripe.test/${id}`, expiresAt: Math.floor(Date.now() / 1000) + 24 * 3600 };
  }
}
