/**
 * What the order page says (frontend/src/order-status.ts), without a browser: its steps and its
 * status sentences, in English and Japanese. The case this file is for: a paid order whose job
 * failed and whose automatic refund Stripe refused for good. The page must not say "You have not
 * been charged": it says the payment could not be refunded automatically and the shop, alerted,
 * refunds it.
 */
import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../../lambdas/contract';
import type { OrderId } from '../../../lambdas/core/ids';
import { NOT_CHARGED } from '../../../lambdas/core/job';
import { noResultRefundKey, orderView, type Order } from '../../../lambdas/core/order';
import { en, fill, ja, type MessageKey } from '../../../frontend/src/messages';
import { isFinal, orderStatus, orderSteps, waitsForPerson, type OrderStatus, type PageFacts } from '../../../frontend/src/order-status';

const ORDER = '7d3e5f60-1a2b-4c3d-8e4f-5a6b7c8d9e0f' as OrderId;
const facts: PageFacts = { awaitingConfirmation: false, sawPending: false, uploadLingers: false };

/** The page's status as the customer reads it: main sentence, then the detail sentences. */
function read(status: OrderStatus, dictionary: Record<MessageKey, string>): { main: string; detail: string } {
  const say = ({ key, params }: { key: MessageKey; params?: Record<string, string | number> }) => fill(dictionary[key], params);
  return { main: say(status.main), detail: status.detail.map(say).join(' ') };
}

const failed = (view: Partial<OrderView>): OrderView => ({
  orderId: ORDER,
  job: 'failed',
  payment: 'paid',
  delivered: false,
  error: { code: 'processing_error', message: 'We could not analyse this file.' },
  ...view,
});

describe('a failed job whose refund Stripe refused for good', () => {
  const view = failed({ refundRefused: true });

  it('says the payment could not be refunded automatically and the shop refunds it, never "not charged"', () => {
    // Act
    const status = orderStatus(view, facts);

    // Assess
    expect(status).toEqual({
      main: { key: 'status.failed' },
      detail: [{ key: 'status.failedReason', params: { message: 'We could not analyse this file.' } }, { key: 'status.refundRefused' }],
    });
    expect(read(status, en).detail).toBe(
      'Reason: We could not analyse this file. We could not refund your payment automatically. The shop has been alerted and will refund it to you; you do not need to do anything. If you contact the shop, quote the order number above.',
    );
    expect(read(status, en).detail).not.toContain(en['status.noCharge']);
    expect(read(status, ja).detail).toContain('自動で返金できませんでした');
    expect(read(status, ja).detail).not.toContain(ja['status.noCharge']);
  });

  it('shows the refund as the shop\'s step, in progress, and keeps looking slowly (a person settles it)', () => {
    // Act
    const steps = orderSteps(view);

    // Assess
    expect(steps).toEqual([
      ['step.upload', 'done'],
      ['step.preview', 'failed'],
      ['step.refundByShop', 'current'],
    ]);
    expect(isFinal(view)).toBe(false);
    expect(waitsForPerson(view, false)).toBe(true);
  });

  it('from the stored order to the words on the page: the job\'s "not charged" sentence is gone', () => {
    // Prepare: the order as core/stripe-events.ts leaves it after the refusal
    const order: Order = {
      orderId: ORDER,
      email: 'buyer@example.com',
      fileName: 'data.csv',
      size: 10,
      lang: 'en',
      createdAt: '2026-12-01T10:00:00.000Z',
      job: 'failed',
      jobError: { code: 'processing_error', message: `We could not analyse this file. ${NOT_CHARGED}` },
      payment: 'paid',
      paymentIntentId: 'pi_1',
      expiresAt: 0,
      history: [{ at: '2026-12-01T10:01:00.000Z', kind: 'refund_refused', detail: { code: 'charge_not_refundable', idempotencyKey: noResultRefundKey(ORDER) } }],
    };

    // Act: through JSON, as GET /api/orders/{id} serves it
    const served = JSON.parse(JSON.stringify(orderView(order, {}))) as OrderView;
    const { main, detail } = read(orderStatus(served, facts), en);

    // Assess
    expect(main).toBe(en['status.failed']);
    expect(`${main} ${detail}`).not.toContain(NOT_CHARGED);
    expect(detail).toContain(en['status.refundRefused']);
  });
});

describe('the other ends of a failed job', () => {
  it.each<[string, Partial<OrderView>, MessageKey, [MessageKey, string][]]>([
    ['unpaid: nothing was charged', { payment: 'unpaid' }, 'status.noCharge', [['step.upload', 'done'], ['step.preview', 'failed']]],
    ['paid: the refund is on its way', {}, 'status.refunding', [['step.upload', 'done'], ['step.preview', 'failed'], ['step.refunding', 'current']]],
    ['refunded', { payment: 'refunded' }, 'status.refunded', [['step.upload', 'done'], ['step.preview', 'failed'], ['step.refunded', 'ended']]],
    ['disputed: the bank settles it, whatever Stripe said of the refund', { disputed: true, refundRefused: true }, 'status.disputed', [['step.upload', 'done'], ['step.preview', 'failed'], ['step.disputed', 'ended']]],
  ])('%s', (_name, change, money, steps) => {
    // Act
    const view = failed(change);
    const status = orderStatus(view, facts);

    // Assess
    expect(status.detail.at(-1)).toEqual({ key: money });
    expect(orderSteps(view)).toEqual(steps);
  });

  it('polls fast while the automatic refund is on its way, and stops once nothing can change', () => {
    expect(waitsForPerson(failed({}), false)).toBe(false);
    expect(isFinal(failed({}))).toBe(false);
    expect(isFinal(failed({ payment: 'unpaid' }))).toBe(true);
    expect(isFinal(failed({ payment: 'refunded' }))).toBe(true);
  });
});

describe('the page\'s other states (unchanged by the move out of pages/order-page.ts)', () => {
  const view = (change: Partial<OrderView>): OrderView => ({ orderId: ORDER, job: 'done', payment: 'unpaid', delivered: false, ...change });

  it.each<[string, OrderView, Partial<PageFacts>, MessageKey, MessageKey[]]>([
    ['preview ready', view({}), {}, 'status.ready', []],
    ['back from Stripe, no word yet', view({}), { awaitingConfirmation: true }, 'status.confirmingPayment', []],
    ['a bank payment that failed', view({}), { sawPending: true }, 'status.payFailed', []],
    ['delivered, with the link rules', view({ payment: 'paid', delivered: true }), { linkRules: { limit: '5', ttl: '7 days' } }, 'status.delivered', ['status.linkRules']],
    ['refunded after delivery', view({ payment: 'refunded', delivered: true }), {}, 'status.refunded', ['status.linksStopped']],
    ['an upload that lingers', view({ job: 'awaiting_upload' }), { uploadLingers: true }, 'status.awaiting', ['status.awaitingHelp']],
    ['a slow job', view({ job: 'processing', slow: true }), {}, 'status.processing', ['status.slow']],
  ])('%s', (_name, order, pageFacts, main, detail) => {
    // Act
    const status = orderStatus(order, { ...facts, ...pageFacts });

    // Assess
    expect(status.main.key).toBe(main);
    expect(status.detail.map((s) => s.key)).toEqual(detail);
  });
});
