/**
 * What happens behind the API: payments from the hosted page, delayed settlement, refunds,
 * disputes, session expiry, and the events each of them emits. The HTTP layer (api-*.ts,
 * server.ts) only parses requests and calls in here.
 */
import { StripeApiError } from './errors.js';
import { WebhookDelivery, endpointWants, type DeliveryOptions } from './delivery.js';
import {
  makeCharge,
  makeCustomerDetails,
  makeDispute,
  makeEvent,
  makePaymentIntent,
  makeRefund,
  nowSeconds,
  type Charge,
  type CheckoutSession,
  type Metadata,
  type PaymentIntent,
  type RefundReason,
  type Refund,
  type StripeEvent,
  type EventOf,
  type EventType,
  idOf,
} from './objects.js';
import { newId } from './ids.js';
import type { StripeStore } from './store.js';
import type { TestPaymentMethod } from './test-payment-methods.js';

export interface EngineOptions {
  delivery: Omit<DeliveryOptions, 'log' | 'onDelivered'>;
  /** Delay before a delayed (bank debit) payment settles by itself. */
  settleAfterMs: number;
  /** Delay between a dispute test card's payment and its `charge.dispute.created`. */
  disputeAfterMs: number;
  /** How often open sessions past `expires_at` are expired. */
  expirySweepMs: number;
  log: (line: string) => void;
}

export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

export class StripeEngine {
  private readonly delivery: WebhookDelivery;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    readonly store: StripeStore,
    private readonly opts: EngineOptions,
  ) {
    // Deliveries still owed are kept in the store, so a restart resumes them (delivery.ts).
    this.delivery = new WebhookDelivery(
      { ...opts.delivery, log: opts.log, onDelivered: () => undefined },
      {
        owed: store.data.webhookRetries,
        event: (id) => store.data.events[id],
        endpoint: (id) => store.data.webhookEndpoints[id],
        save: () => store.save(),
      },
    );
    // Work owed from before a restart (settlements, disputes) is picked up again.
    for (const [pi, plan] of Object.entries(store.data.pendingSettlements)) this.scheduleSettlement(pi, plan.dueAt);
    for (const [ch, dueAt] of Object.entries(store.data.pendingDisputes)) this.scheduleDispute(ch, dueAt);
    this.sweep = setInterval(() => void this.expireDueSessions(), opts.expirySweepMs);
    this.sweep.unref();
  }

  get data() {
    return this.store.data;
  }

  changed(): void {
    this.store.save();
  }

  /** Records an event and sends it; the promise settles when the first attempts are done. */
  emit<T extends EventType>(type: T, object: EventOf<T>['data']['object'], extra: { previousAttributes?: Record<string, unknown>; request?: RequestInfo } = {}): {
    event: StripeEvent;
    delivered: Promise<void>;
  } {
    const endpoints = Object.values(this.data.webhookEndpoints);
    const event = makeEvent({
      type,
      object,
      previousAttributes: extra.previousAttributes,
      request: extra.request,
      pendingWebhooks: endpoints.filter((e) => endpointWants(e, type)).length,
    });
    this.data.events[event.id] = event;
    this.changed();
    this.opts.log(`event ${event.id} ${type}`);
    return { event, delivered: this.delivery.deliver(event, endpoints) };
  }

  /** Redelivers a stored event now (what `stripe events resend` asks for). */
  async redeliver(event: StripeEvent, endpointId?: string): Promise<void> {
    const endpoints = Object.values(this.data.webhookEndpoints).filter((e) => !endpointId || e.id === endpointId);
    event.pending_webhooks += endpoints.filter((e) => endpointWants(e, event.type)).length;
    this.changed();
    await this.delivery.deliver(event, endpoints);
  }

  /**
   * The customer submitted the hosted page with an accepted test payment method: the session
   * completes (paid for cards, unpaid while a bank debit settles) and its events go out. Resolves
   * after the first delivery attempts so the success page usually already sees the payment.
   */
  async paySession(session: CheckoutSession, email: string, method: TestPaymentMethod, clientReferenceId: string | null): Promise<void> {
    const amount = session.amount_total;
    const paymentMethod = newId.paymentMethod();
    const delayed = method.kind === 'sepa_debit';
    const pi = makePaymentIntent({
      amount,
      currency: session.currency,
      paymentMethod,
      kind: method.kind,
      receiptEmail: null,
      status: delayed ? 'processing' : 'succeeded',
    });
    const charge = makeCharge({
      amount,
      currency: session.currency,
      paymentIntent: pi.id,
      paymentMethod,
      kind: method.kind,
      last4: method.last4,
      email,
      status: delayed ? 'pending' : 'succeeded',
    });
    pi.latest_charge = charge.id;
    this.data.paymentIntents[pi.id] = pi;
    this.data.charges[charge.id] = charge;

    session.status = 'complete';
    session.payment_status = delayed ? 'unpaid' : 'paid';
    session.payment_intent = pi.id;
    session.customer_details = makeCustomerDetails(email);
    if (clientReferenceId !== null) session.client_reference_id = clientReferenceId;
    session.payment_method_types = [method.kind];
    session.url = null;
    this.data.checkoutSessions[session.id] = session;

    const deliveries: Promise<void>[] = [];
    if (delayed) {
      deliveries.push(this.emit('payment_intent.processing', pi).delivered);
      const dueAt = Date.now() + this.opts.settleAfterMs;
      this.data.pendingSettlements[pi.id] = { outcome: method.behaviour === 'async_succeeds' ? 'succeeded' : 'failed', dueAt };
      this.scheduleSettlement(pi.id, dueAt);
    } else {
      deliveries.push(this.emit('charge.succeeded', charge).delivered);
      deliveries.push(this.emit('payment_intent.succeeded', pi).delivered);
      if (method.behaviour === 'dispute') {
        const dueAt = Date.now() + this.opts.disputeAfterMs;
        this.data.pendingDisputes[charge.id] = dueAt;
        this.scheduleDispute(charge.id, dueAt);
      }
    }
    deliveries.push(this.emit('checkout.session.completed', session).delivered);
    this.changed();
    await Promise.all(deliveries);
  }

  /** Ends a delayed payment; `outcome` overrides the plan the test IBAN chose. */
  async settle(session: CheckoutSession, outcome?: 'succeeded' | 'failed'): Promise<void> {
    const piId = idOf(session.payment_intent);
    const pi = piId ? this.data.paymentIntents[piId] : undefined;
    if (!pi || pi.status !== 'processing' || session.status !== 'complete') {
      throw new StripeApiError(400, 'invalid_request_error', `Checkout Session ${session.id} has no payment waiting to settle.`, 'payment_intent_unexpected_state');
    }
    const planned = this.data.pendingSettlements[pi.id]?.outcome ?? 'succeeded';
    await this.finishSettlement(pi, outcome ?? planned);
  }

  private async finishSettlement(pi: PaymentIntent, outcome: 'succeeded' | 'failed'): Promise<void> {
    delete this.data.pendingSettlements[pi.id];
    const chargeId = idOf(pi.latest_charge);
    const charge = chargeId ? this.data.charges[chargeId] : undefined;
    const session = Object.values(this.data.checkoutSessions).find((s) => s.payment_intent === pi.id);
    if (!charge || !session || pi.status !== 'processing') return;
    const deliveries: Promise<void>[] = [];
    if (outcome === 'succeeded') {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      Object.assign(charge, { status: 'succeeded', paid: true, captured: true, amount_captured: charge.amount, balance_transaction: newId.balanceTransaction() });
      session.payment_status = 'paid';
      deliveries.push(this.emit('charge.succeeded', charge).delivered);
      deliveries.push(this.emit('payment_intent.succeeded', pi).delivered);
      deliveries.push(this.emit('checkout.session.async_payment_succeeded', session).delivered);
    } else {
      pi.status = 'requires_payment_method';
      pi.last_payment_error = { type: 'card_error', code: 'payment_method_not_available', message: 'The bank account could not be debited.' };
      Object.assign(charge, { status: 'failed', failure_code: 'insufficient_funds', failure_message: 'The bank account could not be debited.' });
      deliveries.push(this.emit('charge.failed', charge).delivered);
      deliveries.push(this.emit('payment_intent.payment_failed', pi).delivered);
      deliveries.push(this.emit('checkout.session.async_payment_failed', session).delivered);
    }
    this.changed();
    await Promise.all(deliveries);
  }

  refund(input: { charge: Charge; amount?: number; reason: RefundReason | null; metadata: Metadata; request: RequestInfo }): Refund {
    const { charge } = input;
    if (charge.status !== 'succeeded') {
      throw new StripeApiError(400, 'invalid_request_error', `Charge ${charge.id} has not been captured or is still pending; it cannot be refunded.`, 'charge_not_refundable');
    }
    if (charge.disputed) {
      throw new StripeApiError(400, 'invalid_request_error', `Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge_disputed');
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) {
      throw new StripeApiError(400, 'invalid_request_error', `Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
    }
    const amount = input.amount ?? remaining;
    if (amount <= 0) throw new StripeApiError(400, 'invalid_request_error', 'Refund amount must be positive.', 'parameter_invalid_integer', 'amount');
    if (amount > remaining) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        'amount_too_large',
        'amount',
      );
    }
    const refund = makeRefund({ charge, amount, reason: input.reason, metadata: input.metadata });
    this.data.refunds[refund.id] = refund;
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit('charge.refunded', charge, { previousAttributes: previous, request: input.request });
    this.changed();
    return refund;
  }

  openDispute(charge: Charge): void {
    delete this.data.pendingDisputes[charge.id];
    if (charge.disputed) return;
    const dispute = makeDispute(charge);
    this.data.disputes[dispute.id] = dispute;
    charge.disputed = true;
    this.emit('charge.dispute.created', dispute);
    this.changed();
  }

  expireSession(session: CheckoutSession, request?: RequestInfo): void {
    if (session.status !== 'open') {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
        'checkout_session_unexpected_state',
      );
    }
    session.status = 'expired';
    session.url = null;
    this.emit('checkout.session.expired', session, { request });
    this.changed();
  }

  private expireDueSessions(): void {
    const now = nowSeconds();
    for (const session of Object.values(this.data.checkoutSessions)) {
      if (session.status === 'open' && session.expires_at <= now) this.expireSession(session);
    }
  }

  private scheduleSettlement(piId: string, dueAt: number): void {
    this.later(dueAt, () => {
      const plan = this.data.pendingSettlements[piId];
      const pi = this.data.paymentIntents[piId];
      if (plan && pi) void this.finishSettlement(pi, plan.outcome);
    });
  }

  private scheduleDispute(chargeId: string, dueAt: number): void {
    this.later(dueAt, () => {
      const charge = this.data.charges[chargeId];
      if (charge && this.data.pendingDisputes[chargeId] !== undefined) this.openDispute(charge);
    });
  }

  private later(dueAt: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, Math.max(0, dueAt - Date.now()));
    timer.unref();
    this.timers.add(timer);
  }

  /** Resume the webhook deliveries owed from before a restart (delivery.ts). */
  resumeDeliveries(): void {
    this.delivery.resume();
  }

  close(): void {
    clearInterval(this.sweep);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.delivery.close();
  }
}
