/**
 * What the order page says about an order: its steps and its status sentence, as message keys
 * with their parameters. Pure (no DOM, no language state), so it is tested without a browser
 * (test/unit/buyer/order-status.test.ts); pages/order-page.ts translates and draws it.
 */
import type { OrderView } from '../../lambdas/contract';
import type { MessageKey, Params } from './messages';

/** `ended`: a step that stops the order (a refund, a dispute) without being a success or a failure. */
export type StepState = 'done' | 'current' | 'pending' | 'failed' | 'ended';

/** One sentence to translate. */
export interface Said {
  readonly key: MessageKey;
  readonly params?: Params;
}

export interface OrderStatus {
  readonly main: Said;
  /** Sentences shown after the main one, joined with a space; empty for none. */
  readonly detail: readonly Said[];
}

/** What the page knows besides the order itself. */
export interface PageFacts {
  /** "We are confirming your payment" is the honest thing to say (back from Stripe, no word yet). */
  readonly awaitingConfirmation: boolean;
  /** This page saw the payment `pending`: back to unpaid means the bank payment failed. */
  readonly sawPending: boolean;
  /** The upload has been awaited long enough to suggest starting again. */
  readonly uploadLingers: boolean;
  /** The link rules' parameters (`limit`, `ttl`, formatted), when the shop's config is loaded. */
  readonly linkRules?: Params;
}

/**
 * The steps the order has taken and has left. A refunded or disputed order shows that instead of
 * a completed payment, and an order that ends without a result (refund, dispute, failed job) has
 * no "Result emailed" step at all: nothing is on its way, so nothing is pending or failed.
 */
export function orderSteps(order: OrderView): [MessageKey, StepState][] {
  const upload: StepState = order.job === 'awaiting_upload' ? 'current' : 'done';
  const analysis: StepState =
    order.job === 'done' ? 'done' : order.job === 'failed' ? 'failed' : order.job === 'processing' ? 'current' : 'pending';
  const start: [MessageKey, StepState][] = [
    ['step.upload', upload],
    ['step.preview', analysis],
  ];
  if (order.payment === 'refunded') return [...start, ['step.refunded', 'ended']];
  if (order.disputed) return [...start, ['step.disputed', 'ended']];
  if (order.job === 'failed') {
    // "No result, no charge": unpaid ends here; a payment that arrived is on its way back, from
    // Stripe automatically or, once Stripe refused that, from the shop by hand.
    if (order.payment === 'unpaid') return start;
    return [...start, [order.refundRefused ? 'step.refundByShop' : 'step.refunding', 'current']];
  }
  const paid = order.payment === 'paid' || order.delivered;
  let payment: StepState = 'pending';
  if (paid) payment = 'done';
  else if (order.payment === 'pending' || (order.job === 'done' && order.payment === 'unpaid')) payment = 'current';
  let delivery: StepState = 'pending';
  if (order.delivered) delivery = 'done';
  else if (paid && order.job === 'done') delivery = 'current';
  return [...start, ['step.pay', payment], ['step.deliver', delivery]];
}

/** What happened to the money of an order whose job failed: only what is true now. */
function failedJobMoney(order: OrderView): Said {
  if (order.payment === 'refunded') return { key: 'status.refunded' };
  if (order.payment === 'unpaid') return { key: 'status.noCharge' };
  if (order.disputed) return { key: 'status.disputed' };
  if (order.refundRefused) return { key: 'status.refundRefused' };
  return { key: 'status.refunding' };
}

export function orderStatus(order: OrderView, facts: PageFacts): OrderStatus {
  if (order.job === 'failed') {
    const reason: Said[] = order.error?.message ? [{ key: 'status.failedReason', params: { message: order.error.message } }] : [];
    return { main: { key: 'status.failed' }, detail: [...reason, failedJobMoney(order)] };
  }
  if (order.payment === 'refunded') return { main: { key: 'status.refunded' }, detail: order.delivered ? [{ key: 'status.linksStopped' }] : [] };
  if (order.disputed) return { main: { key: 'status.disputed' }, detail: [{ key: 'status.disputedDetail' }] };
  if (order.delivered) return { main: { key: 'status.delivered' }, detail: facts.linkRules ? [{ key: 'status.linkRules', params: facts.linkRules }] : [] };
  if (order.payment === 'paid') return { main: { key: order.job === 'done' ? 'status.paidSending' : 'status.paidProcessing' }, detail: [] };
  if (order.payment === 'pending') return { main: { key: 'status.payPending' }, detail: [] };
  if (facts.awaitingConfirmation && order.job !== 'awaiting_upload') return { main: { key: 'status.confirmingPayment' }, detail: [] };
  if (facts.sawPending && order.job === 'done') return { main: { key: 'status.payFailed' }, detail: [] };
  switch (order.job) {
    case 'awaiting_upload':
      // Right after an upload the storage event is still on its way; advise only if it lingers.
      return { main: { key: 'status.awaiting' }, detail: facts.uploadLingers ? [{ key: 'status.awaitingHelp' }] : [] };
    case 'processing':
      return { main: { key: 'status.processing' }, detail: order.slow ? [{ key: 'status.slow' }] : [] };
    case 'done':
      return { main: { key: 'status.ready' }, detail: [] };
  }
}

/**
 * Nothing this page shows changes any more. A dispute takes weeks to settle; a refund Stripe
 * refused waits for a person, so the page keeps looking, slowly (`waitsForPerson`).
 */
export function isFinal(order: OrderView): boolean {
  if (order.delivered || order.payment === 'refunded' || order.disputed) return true;
  return order.job === 'failed' && order.payment === 'unpaid';
}

/** Only a person can move the order on: the customer paying, or the shop refunding by hand. */
export function waitsForPerson(order: OrderView, awaitingConfirmation: boolean): boolean {
  if (order.job === 'failed') return order.refundRefused === true;
  return order.job === 'done' && order.payment === 'unpaid' && !awaitingConfirmation;
}
