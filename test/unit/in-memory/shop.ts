/**
 * A whole shop in memory for core's unit tests: the in-memory ports (order-store.ts,
 * payments.ts, a mailer and a blob store), a clock the test moves, and the dependency objects
 * core's use cases take (EventDeps, JobDeps, SweepDeps), wired as lambdas/adapters/*-deps.ts wire
 * the real ones. `handleEvent` keeps Powertools' idempotency semantics
 * (adapters/stripe-event-idempotency.ts): in progress until the handler returned, with an expiry
 * at the caller's deadline; completed for 7 days; deleted when the handler throws.
 */
import { deliverIfDue, type DeliveryDeps } from '../../../lambdas/core/delivery';
import type { EmailMessage } from '../../../lambdas/core/emails';
import type { Fault, FaultStep } from '../../../lambdas/core/faults';
import type { OrderId } from '../../../lambdas/core/ids';
import { uploadKey } from '../../../lambdas/core/ids';
import type { JobBlobs, JobDeps, Processor } from '../../../lambdas/core/job';
import type { Order } from '../../../lambdas/core/order';
import type { SessionFacts } from '../../../lambdas/core/payment';
import { EVENT_MEMORY_SECONDS, handleStripeEvent, refundNoResult, type EventDeps, type EventOutcome, type StripeEvent } from '../../../lambdas/core/stripe-events';
import type { ListedEvent, RecoveredOutcome, SweepDeps } from '../../../lambdas/core/sweep';
import type { InputObject } from '../../../lambdas/ports/blob-store';
import type { Mailer } from '../../../lambdas/ports/mailer';
import { Killed } from './killed';
import { InMemoryOrderStore } from './order-store';
import { InMemoryPayments } from './payments';

export const PRICE = { amount: 900, currency: 'usd' } as const;
export const LINK = 'plink_shop';

export class InMemoryMailer implements Mailer {
  readonly sent: { to: string; message: EmailMessage }[] = [];
  failNext = 0;
  async send(to: string, message: EmailMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('SES refused the connection');
    }
    this.sent.push({ to, message });
  }
  /** The download links mailed to `to`. */
  linksTo(to: string): string[] {
    return this.sent.filter((m) => m.to === to).flatMap((m) => /\/d\/[A-Za-z0-9_-]{43}/.exec(JSON.stringify(m.message))?.[0] ?? []);
  }
}

export class InMemoryBlobs implements JobBlobs {
  readonly inputs = new Map<string, Uint8Array>();
  readonly results = new Map<string, string | Uint8Array>();
  readonly previews = new Map<OrderId, unknown>();
  readonly reannounced: string[] = [];
  async getInput(key: string): Promise<InputObject | undefined> {
    const bytes = this.inputs.get(key);
    if (!bytes) return undefined;
    return { body: (async function* () { yield bytes; })(), size: bytes.byteLength };
  }
  async reannounceInput(key: string): Promise<void> {
    this.reannounced.push(key);
  }
  async putResult(orderId: OrderId, name: string, body: string | Uint8Array): Promise<void> {
    this.results.set(`${orderId}/${name}`, body);
  }
  async putPreview(orderId: OrderId, preview: unknown): Promise<void> {
    this.previews.set(orderId, preview);
  }
  async getPreview(orderId: OrderId): Promise<unknown> {
    return this.previews.get(orderId);
  }
  async presignDownload(orderId: OrderId, name: string): Promise<string> {
    return `https://s3.test/${orderId}/${name}`;
  }
}

/** Thrown by a fault step the test armed, or after a write the store was told to die after. */
export { Killed };

interface IdempotencyRecord {
  status: 'INPROGRESS' | 'COMPLETED';
  /** Epoch ms: an in-progress record past this may be taken over. */
  inProgressUntil: number;
  result?: EventOutcome;
}

let orderCounter = 0;

export class InMemoryShop {
  now = Date.parse('2026-12-01T12:00:00Z');
  readonly clock = () => this.now;
  readonly store = new InMemoryOrderStore(this.clock);
  readonly payments = new InMemoryPayments();
  readonly mailer = new InMemoryMailer();
  readonly blobs = new InMemoryBlobs();
  readonly reports: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  readonly metrics: string[] = [];
  readonly idempotency = new Map<string, IdempotencyRecord>();
  private killAt: FaultStep | undefined;
  paymentMode: 'payment-link' | 'checkout-session' = 'payment-link';

  /** The next time core reaches `step`, it throws as a killed process would stop there. */
  killAtStep(step: FaultStep): void {
    this.killAt = step;
  }

  readonly fault: Fault = (step) => {
    if (this.killAt === step) {
      this.killAt = undefined;
      throw new Killed(step);
    }
  };

  advance(ms: number): void {
    this.now += ms;
  }

  get nowSeconds(): number {
    return Math.floor(this.now / 1000);
  }

  deliveryDeps(): DeliveryDeps {
    return {
      store: this.store,
      mailer: this.mailer,
      settings: { siteUrl: 'https://shop.example', productName: 'Report', downloadLimit: 5, linkTtlHours: 168 },
      tokenKey: async () => new Uint8Array(32).fill(7),
      fault: this.fault,
      now: this.clock,
    };
  }

  eventDeps(): EventDeps {
    return {
      ...this.deliveryDeps(),
      store: this.store,
      payments: this.payments,
      expected: { ...PRICE, livemode: false, ...(this.paymentMode === 'payment-link' ? { paymentLinkId: LINK } : {}) },
      paymentMode: this.paymentMode,
      report: (level, message, fields) => this.reports.push({ level, message, fields }),
      count: (metric) => this.metrics.push(metric),
    };
  }

  jobDeps(processor: Processor): JobDeps {
    const events = this.eventDeps();
    return {
      store: this.store,
      blobs: this.blobs,
      processor,
      settings: { maxUploadBytes: 1_000_000, acceptedExtensions: ['.csv'], maxAttempts: 3 },
      refundNoResult: (orderId) => refundNoResult(orderId, events),
      deliverIfDue: (orderId) => deliverIfDue(orderId, events),
      report: events.report,
      count: (metric) => this.metrics.push(metric),
      now: this.clock,
      fault: this.fault,
    };
  }

  /** What the webhook does with an event (Powertools idempotency around handleStripeEvent), given its deadline. */
  async deliver(event: StripeEvent, deadline = this.now + 10_000): Promise<RecoveredOutcome> {
    const record = this.idempotency.get(event.id);
    if (record?.status === 'COMPLETED') return record.result as EventOutcome;
    if (record?.status === 'INPROGRESS' && record.inProgressUntil >= this.now) return 'in_progress';
    this.idempotency.set(event.id, { status: 'INPROGRESS', inProgressUntil: deadline });
    let result: EventOutcome;
    try {
      result = await handleStripeEvent(event, this.eventDeps());
    } catch (error) {
      // A killed process deletes nothing: its record stays in progress until its expiry.
      if (!(error instanceof Killed)) this.idempotency.delete(event.id);
      throw error;
    }
    this.idempotency.set(event.id, { status: 'COMPLETED', inProgressUntil: 0, result });
    return result;
  }

  sweepDeps(deadline = this.now + 120_000): SweepDeps {
    return {
      ...this.eventDeps(),
      sweepStore: this.store,
      source: this.payments,
      deadline,
      handleEvent: (event) => this.deliver(event, deadline),
      now: this.clock,
    };
  }

  /** An order in the given state, stored. */
  addOrder(state: Partial<Order> = {}): Order {
    orderCounter++;
    const orderId = `3b241101-e2bb-4255-8caf-${String(orderCounter).padStart(12, '0')}` as OrderId;
    const order: Order = {
      orderId,
      email: `buyer${orderCounter}@example.com`,
      fileName: 'data.csv',
      size: 10,
      lang: 'en',
      createdAt: new Date(this.now).toISOString(),
      job: 'done',
      primaryArtifact: 'report.html',
      payment: 'unpaid',
      expiresAt: this.nowSeconds + 30 * 86400,
      ...state,
    };
    this.store.orders.set(orderId, order);
    return order;
  }

  /** Put an upload for the order, as the browser's POST to S3 does. */
  upload(orderId: OrderId, content: string): string {
    const key = uploadKey(orderId);
    this.blobs.inputs.set(key, new TextEncoder().encode(content));
    return key;
  }

  /** A completed Payment Link session for the order, as Stripe stores it (and lists it to the sweeper). */
  session(orderId: OrderId, overrides: Partial<SessionFacts> = {}, list = true): SessionFacts {
    const n = this.payments.sessions.length + 1;
    const session: SessionFacts = {
      id: `cs_test_${n}`,
      client_reference_id: orderId,
      payment_link: LINK,
      amount_total: PRICE.amount,
      currency: PRICE.currency,
      livemode: false,
      payment_status: 'paid',
      status: 'complete',
      payment_intent: `pi_${n}`,
      customer_details: { email: `payer${n}@example.com` },
      ...overrides,
    };
    if (list) this.payments.addSession(session, this.nowSeconds);
    else {
      const pi = typeof session.payment_intent === 'string' ? session.payment_intent : undefined;
      if (pi) this.payments.knownPaymentIntents.add(pi);
    }
    return session;
  }

  /** A Stripe event of `type` about `object`, recorded in Stripe's event list. */
  event(type: string, object: object): ListedEvent {
    const event: ListedEvent = { id: `evt_${this.payments.events.length + 1}`, type, created: this.nowSeconds, data: { object } };
    this.payments.addEvent(event);
    return event;
  }

  /** The charge of a session's payment, refunded in full (or partly). */
  refundedCharge(session: SessionFacts, full = true): object {
    return { id: `ch_${session.id}`, object: 'charge', payment_intent: session.payment_intent, amount: PRICE.amount, amount_refunded: full ? PRICE.amount : 100, refunded: full };
  }

  dispute(session: SessionFacts): object {
    return { id: `dp_${session.id}`, object: 'dispute', charge: `ch_${session.id}`, payment_intent: session.payment_intent, reason: 'fraudulent' };
  }

  order(orderId: OrderId): Order {
    const order = this.store.orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    return order;
  }

  /** Live (unrevoked) download tokens of an order. */
  liveTokens(orderId: OrderId): number {
    return [...this.store.tokens.values()].filter((t) => t.orderId === orderId && !t.revoked).length;
  }
}

export { EVENT_MEMORY_SECONDS };
