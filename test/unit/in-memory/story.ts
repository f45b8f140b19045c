/**
 * Stories for the table-driven core tests (test/unit/core/*-table.test.ts): one order on the
 * in-memory shop (shop.ts), the Checkout Sessions that pay it (A, B, C: each a different payer),
 * and steps written as a row reads them — `A:completed:paid`, `A:refund:full`, `job:done` — each
 * run through the path production runs it through (Powertools-like idempotency around
 * handleStripeEvent, runJob for the job). `effects()` then says what the customer and Stripe saw:
 * the order's state, refunds we asked for, emails sent, links live and revoked.
 */
import { refundEmail, type RefundKind } from '../../../lambdas/core/emails';
import type { OrderId } from '../../../lambdas/core/ids';
import { uploadKey } from '../../../lambdas/core/ids';
import { ProcessingError, runJob, type JobOutcome, type Processor } from '../../../lambdas/core/job';
import type { Order, PaymentState } from '../../../lambdas/core/order';
import type { SessionFacts } from '../../../lambdas/core/payment';
import type { ListedEvent, RecoveredOutcome } from '../../../lambdas/core/sweep';
import { InMemoryShop } from './shop';

export type SessionName = 'A' | 'B' | 'C';
export type EventStep =
  | 'completed:paid'
  | 'completed:unpaid'
  | 'async:succeeded'
  | 'async:failed'
  | 'expired'
  | 'refund:full'
  | 'refund:partial'
  | 'dispute';
/** `A:completed:paid` (session A's event), or the job's own steps. */
export type Step = `${SessionName}:${EventStep}` | 'job:done' | 'job:failed';

export type EmailKind = 'link' | RefundKind | 'other';

export interface Effects {
  readonly payment: PaymentState;
  readonly delivered: boolean;
  readonly disputed: boolean;
  /** Which session the order's payment is, when the story has more than one. */
  readonly paidBy?: SessionName;
  /** Refunds uplock asked Stripe for: `<reason>:<session>`. */
  readonly refunds: readonly string[];
  /** Every email sent, in order: the download link, or the kind of refund email. */
  readonly emails: readonly EmailKind[];
  /** Distinct download links mailed. */
  readonly links: number;
  readonly liveLinks: number;
  readonly revokedLinks: number;
}

/** A job that finishes with one result file. */
export const finishingProcessor: Processor = {
  name: 'table-test',
  acceptedExtensions: ['.csv'],
  timeoutMs: 60_000,
  process: async () => ({ preview: { rows: 1 }, artifacts: [{ name: 'report.html', contentType: 'text/html', body: '<p>r</p>' }], primary: 'report.html' }),
};

/** A job that refuses the file: the order fails with a message. */
export const failingProcessor: Processor = {
  ...finishingProcessor,
  process: async () => {
    throw new ProcessingError('unreadable', 'We could not read this file.');
  },
};

/** Refund emails by their first line (their subjects are not all different). */
const REFUND_OPENINGS = new Map<string, RefundKind>(
  (['duplicate', 'no_result', 'refunded'] as const).map((kind) => [
    refundEmail({ kind, lang: 'en', productName: 'Report', orderId: 'x', orderUrl: 'https://shop.example' }).text.split('\n')[0] ?? '',
    kind,
  ]),
);

export class Story {
  readonly shop: InMemoryShop;
  readonly orderId: OrderId;
  readonly sessions = new Map<SessionName, SessionFacts>();
  /** Each event, once made, so a duplicate is the same event (same id). */
  readonly events = new Map<string, ListedEvent>();
  readonly outcomes: (RecoveredOutcome | JobOutcome)[] = [];

  /** `job`: where the order's job is when the story begins (`awaiting_upload`: the upload is there, the job has not run). */
  constructor(opts: { job?: 'done' | 'awaiting_upload'; shop?: InMemoryShop; order?: Partial<Order> } = {}) {
    this.shop = opts.shop ?? new InMemoryShop();
    const job = opts.job ?? 'done';
    const added = this.shop.addOrder({ job, ...opts.order });
    this.orderId = added.orderId;
    if (job === 'awaiting_upload') {
      // No result yet: the job writes it.
      const { primaryArtifact: _none, ...order } = added;
      this.shop.store.orders.set(this.orderId, order);
      this.shop.upload(this.orderId, 'a,b\n1,2\n');
    }
  }

  /** Session `name` as Stripe holds it (created and listed on first use). */
  session(name: SessionName): SessionFacts {
    let session = this.sessions.get(name);
    if (!session) {
      session = this.shop.session(this.orderId, { customer_details: { email: `payer-${name}@example.com` } });
      this.sessions.set(name, session);
    }
    return session;
  }

  /** The Stripe event a step stands for (the same object each time it is asked for). */
  event(step: `${SessionName}:${EventStep}`): ListedEvent {
    const known = this.events.get(step);
    if (known) return known;
    const [name, ...rest] = step.split(':') as [SessionName, ...string[]];
    const what = rest.join(':') as EventStep;
    const s = this.session(name);
    const event = (() => {
      switch (what) {
        case 'completed:paid':
          return this.shop.event('checkout.session.completed', { ...s, payment_status: 'paid' });
        case 'completed:unpaid':
          return this.shop.event('checkout.session.completed', { ...s, payment_status: 'unpaid' });
        case 'async:succeeded':
          return this.shop.event('checkout.session.async_payment_succeeded', { ...s, payment_status: 'paid' });
        case 'async:failed':
          return this.shop.event('checkout.session.async_payment_failed', { ...s, payment_status: 'unpaid' });
        case 'expired':
          return this.shop.event('checkout.session.expired', { ...s, status: 'expired', payment_status: 'unpaid', payment_intent: null, customer_details: null });
        case 'refund:full':
          return this.shop.event('charge.refunded', this.shop.refundedCharge(s, true));
        case 'refund:partial':
          return this.shop.event('charge.refunded', this.shop.refundedCharge(s, false));
        case 'dispute':
          return this.shop.event('charge.dispute.created', this.shop.dispute(s));
      }
    })();
    this.events.set(step, event);
    return event;
  }

  /** Run the steps in order, as Stripe (webhook) and S3 (the job's trigger) would deliver them. */
  async run(...steps: readonly Step[]): Promise<this> {
    for (const step of steps) {
      if (step === 'job:done' || step === 'job:failed') {
        this.outcomes.push(await runJob(uploadKey(this.orderId), this.shop.jobDeps(step === 'job:done' ? finishingProcessor : failingProcessor)));
      } else {
        this.outcomes.push(await this.shop.deliver(this.event(step)));
      }
    }
    return this;
  }

  /** Which session is which: `pi_7` → `B`. */
  private nameOfPaymentIntent(pi: string | undefined): string {
    for (const [name, s] of this.sessions) if (s.payment_intent === pi) return name;
    return pi ?? '?';
  }

  effects(): Effects {
    const order = this.shop.order(this.orderId);
    const tokens = [...this.shop.store.tokens.values()].filter((t) => t.orderId === this.orderId);
    const paidBy = [...this.sessions].find(([, s]) => s.id === order.sessionId)?.[0];
    return {
      payment: order.payment,
      delivered: Boolean(order.deliveredAt),
      disputed: Boolean(order.disputedAt),
      ...(paidBy && this.sessions.size > 1 ? { paidBy } : {}),
      refunds: this.shop.payments.refunds.map((r) => `${r.reason}:${this.nameOfPaymentIntent(r.paymentIntentId)}`),
      emails: this.shop.mailer.sent.map(({ message }) => {
        if (/\/d\/[A-Za-z0-9_-]{43}/.test(message.text)) return 'link';
        return REFUND_OPENINGS.get(message.text.split('\n')[0] ?? '') ?? 'other';
      }),
      links: new Set(this.shop.mailer.sent.flatMap(({ message }) => /\/d\/[A-Za-z0-9_-]{43}/.exec(message.text)?.[0] ?? [])).size,
      liveLinks: tokens.filter((t) => !t.revoked).length,
      revokedLinks: tokens.filter((t) => t.revoked).length,
    };
  }
}

/** The effects a row expects, with the defaults of "nothing happened" filled in. */
export function expected(partial: Partial<Effects> & Pick<Effects, 'payment'>): Effects {
  return { delivered: false, disputed: false, refunds: [], emails: [], links: 0, liveLinks: 0, revokedLinks: 0, ...partial };
}
