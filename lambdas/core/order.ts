/**
 * The order state machine: three independent axes (job × payment × delivery) that arrive in any
 * order. Pure functions only; the OrderStore turns each transition into one conditional write.
 */
import type { ErrorInfo, JobState, Lang, OrderView, PaymentState, TimelineEntry } from '../contract';
import type { OrderId } from './ids';
import { NOT_CHARGED } from './job';

export type { JobState, Lang, OrderView, PaymentState } from '../contract';

export type JobError = Readonly<ErrorInfo>;

export interface Order {
  readonly orderId: OrderId;
  readonly email: string;
  readonly fileName: string;
  readonly size: number;
  readonly lang: Lang;
  readonly createdAt: string;
  readonly job: JobState;
  readonly jobError?: JobError;
  /** ISO time the current job attempt started (the upload arrived). */
  readonly jobStartedAt?: string;
  /** ISO time the job finished (done: the preview is ready; or failed). */
  readonly jobEndedAt?: string;
  /** The job's claim (core/job.ts): attempts so far and when the current one may be taken over (epoch ms). */
  readonly jobClaim?: { readonly attempts: number; readonly expiresAt: number };
  /** Percent done that the running job reported (0-100). */
  readonly jobProgress?: number;
  /** Artifact the download link serves (set when the job is done). */
  readonly primaryArtifact?: string;
  /** Every result file the link serves, the primary first (set with it; older orders lack it). */
  readonly resultFiles?: readonly string[];
  readonly payment: PaymentState;
  readonly sessionId?: string;
  readonly paymentIntentId?: string;
  readonly amount?: number;
  readonly currency?: string;
  readonly payerEmail?: string;
  /** ISO time the payment was first recorded as paid (kept when it is later refunded). */
  readonly paidAt?: string;
  /** A delivery attempt in flight: who claimed it and when (claims expire, see deliveryDue). */
  readonly deliveryClaim?: { readonly id: string; readonly at: number };
  readonly deliveredAt?: string;
  readonly refundedAt?: string;
  /** A dispute was opened: downloads stop, the operator is alerted. */
  readonly disputedAt?: string;
  /** Checkout-session mode: the order's open session, reused until it expires. */
  readonly checkoutSession?: { readonly id: string; readonly url: string; readonly expiresAt: number };
  /**
   * Which revision of the result the links serve (`uplock orders rerun`): absent or 1 is the
   * job's first result under `results/<orderId>/`, n ≥ 2 lives under `results/<orderId>/r<n>/`.
   */
  readonly resultRevision?: number;
  /** A rerun in flight (core/operations.ts rerunOrder): its revision and when its claim lapses (epoch ms). */
  readonly rerunClaim?: { readonly revision: number; readonly expiresAt: number };
  /** What happened to the order that no other field records (downloads, emails, operator actions), oldest first. */
  readonly history?: readonly TimelineEntry[];
  /** Epoch seconds: DynamoDB TTL. */
  readonly expiresAt: number;
  /** Made by `uplock smoke` to check a deploy: left out of stats and export, erased at its end. */
  readonly smoke?: boolean;
}

/** Which job states may follow which: replays of "Object Created" must not restart a job. */
const JOB_NEXT: Record<JobState, readonly JobState[]> = {
  awaiting_upload: ['processing', 'failed'],
  processing: ['done', 'failed'],
  done: [],
  failed: [],
};

export const canMoveJob = (from: JobState, to: JobState): boolean => JOB_NEXT[from].includes(to);

/** Job states from which `to` is reachable: what a conditional write must require. */
export const jobStatesBefore = (to: JobState): JobState[] =>
  (Object.keys(JOB_NEXT) as JobState[]).filter((from) => canMoveJob(from, to));

/**
 * Payment moves forward only: unpaid → pending → paid → refunded, with pending → unpaid when a
 * delayed payment fails. Anything else (a late "completed: unpaid" after "paid", say) is a no-op,
 * which is what makes event handling order-independent.
 */
const PAYMENT_NEXT: Record<PaymentState, readonly PaymentState[]> = {
  unpaid: ['pending', 'paid'],
  pending: ['paid', 'unpaid'],
  paid: ['refunded'],
  refunded: [],
};

export const canMovePayment = (from: PaymentState, to: PaymentState): boolean => PAYMENT_NEXT[from].includes(to);

export const paymentStatesBefore = (to: PaymentState): PaymentState[] =>
  (Object.keys(PAYMENT_NEXT) as PaymentState[]).filter((from) => canMovePayment(from, to));

/**
 * The timeline entry a payment move records, in the store's same conditional write (ports
 * OrderStore setPayment): `pending` is a delayed payment (a bank debit) under way; back to
 * `unpaid` is only ever that payment failing (async_payment_failed). The other moves have fields
 * of their own (paidAt, refundedAt) and record none. A replayed event cannot move the state
 * again, so it adds no second entry.
 */
export function paymentTimelineEntry(to: PaymentState, at: string, sessionId: string | undefined): TimelineEntry | undefined {
  const detail = sessionId ? { detail: { sessionId } } : {};
  if (to === 'pending') return { at, kind: 'payment_pending', ...detail };
  if (to === 'unpaid') return { at, kind: 'payment_failed', ...detail };
  return undefined;
}

/** How long a delivery claim blocks others before it is presumed crashed and retried (config `deliveryClaimSeconds`'s default). */
export const DELIVERY_CLAIM_TTL_MS = 5 * 60 * 1000;

/** A claim taken at `claimAt` is stale (presumed crashed) at `now`: strictly older than the TTL. */
export const claimIsStale = (claimAt: number, now: number, ttlMs: number = DELIVERY_CLAIM_TTL_MS): boolean => claimAt < now - ttlMs;

/**
 * Delivery is due when the second of "job done" and "paid" has arrived and nobody delivered yet.
 * The claim rule is the store's conditional write's (`claimAt < :stale`, stale = now - TTL), to the
 * millisecond: at exactly the TTL both say "still claimed".
 */
export function deliveryDue(order: Order, now: number, claimTtlMs: number = DELIVERY_CLAIM_TTL_MS): boolean {
  if (order.job !== 'done' || order.payment !== 'paid' || order.deliveredAt || order.disputedAt) return false;
  return !order.deliveryClaim || claimIsStale(order.deliveryClaim.at, now, claimTtlMs);
}

/** A job running longer than this is "taking longer than usual" on the order page. */
export const JOB_USUAL_MS = 60 * 1000;

/** What `GET /api/orders/{id}` shows: never the email, never the result. */
export function orderView(order: Order, extras: { preview?: unknown; payUrl?: string; now?: number }): OrderView {
  const view: OrderView = {
    orderId: order.orderId,
    job: order.job,
    payment: order.payment,
    delivered: Boolean(order.deliveredAt),
  };
  if (order.job === 'processing') {
    if (order.jobProgress !== undefined) view.progress = order.jobProgress;
    const started = order.jobStartedAt ? Date.parse(order.jobStartedAt) : NaN;
    const now = extras.now ?? Date.now();
    if ((order.jobClaim?.attempts ?? 1) > 1 || now - started > JOB_USUAL_MS) view.slow = true;
  }
  if (order.job === 'done' && extras.preview !== undefined) view.preview = extras.preview;
  if (order.job === 'done' && order.payment === 'unpaid' && extras.payUrl) view.payUrl = extras.payUrl;
  if (order.job === 'failed' && order.jobError) view.error = order.payment === 'unpaid' ? order.jobError : { code: order.jobError.code, message: withoutNotCharged(order.jobError.message) };
  if (order.disputedAt) view.disputed = true;
  if (order.job === 'failed' && order.payment === 'paid' && noResultRefundRefused(order)) view.refundRefused = true;
  return view;
}

/** The "no result, no charge" refund's idempotency key (core/stripe-events.ts refundNoResult). */
export const noResultRefundKey = (orderId: OrderId): string => `uplock-no-result-${orderId}`;

/** Stripe refused the failed job's refund for good (core/stripe-events.ts requestRefund notes it on the timeline). */
const noResultRefundRefused = (order: Order): boolean =>
  (order.history ?? []).some((entry) => entry.kind === 'refund_refused' && entry.detail?.idempotencyKey === noResultRefundKey(order.orderId));

/** A paid order's failure message without the job's "not charged" sentence, which is then untrue. */
function withoutNotCharged(message: string): string {
  return message.endsWith(NOT_CHARGED) ? message.slice(0, -NOT_CHARGED.length).trimEnd() : message;
}

/** The name under `results/<orderId>/` of a result file in the revision the order's links serve. */
export function resultFileName(order: Pick<Order, 'resultRevision'>, artifact: string): string {
  const revision = order.resultRevision ?? 1;
  return revision > 1 ? `r${revision}/${artifact}` : artifact;
}
