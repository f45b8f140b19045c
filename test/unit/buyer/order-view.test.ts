/**
 * The order view (lambdas/core/order.ts orderView) tells the order page about a dispute, so the
 * page can say "Payment disputed" instead of a completed payment; an undisputed order's view is
 * unchanged. After a failed job it says only what is true of the payment: "not charged" only
 * while nothing was paid, and `refundRefused` once Stripe refused the automatic refund for good.
 */
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../lambdas/contract';
import type { OrderId } from '../../../lambdas/core/ids';
import { NOT_CHARGED } from '../../../lambdas/core/job';
import { noResultRefundKey, orderView, type Order } from '../../../lambdas/core/order';

const paidOrder: Order = {
  orderId: '3b241101-e2bb-4255-8caf-4136c566a962' as OrderId,
  email: 'ann@example.com',
  fileName: 'a.csv',
  size: 10,
  lang: 'en',
  createdAt: '2026-12-01T10:00:00.000Z',
  job: 'done',
  payment: 'paid',
  deliveredAt: '2026-12-01T10:02:00.000Z',
  expiresAt: 0,
};

describe('orderView and disputes', () => {
  it('says disputed: true once a dispute is recorded, and nothing of its date', () => {
    // Act
    const view = orderView({ ...paidOrder, disputedAt: '2026-12-03T00:00:00.000Z' }, {});

    // Assess
    expect(view).toEqual({ orderId: paidOrder.orderId, job: 'done', payment: 'paid', delivered: true, disputed: true });
  });

  it('leaves the key out for an undisputed order', () => {
    // Act
    const view = orderView(paidOrder, {});

    // Assess
    expect(view).not.toHaveProperty('disputed');
  });
});

describe('orderView after a failed job: what it says about the payment', () => {
  const failedPaid: Order = {
    ...paidOrder,
    job: 'failed',
    jobError: { code: 'processing_error', message: `We could not analyse this file. ${NOT_CHARGED}` },
    deliveredAt: undefined,
    paymentIntentId: 'pi_1',
  };
  const refused = (idempotencyKey: string): TimelineEntry => ({
    at: '2026-12-01T10:03:00.000Z',
    kind: 'refund_refused',
    detail: { code: 'charge_not_refundable', reason: 'the job failed: no result, no charge', idempotencyKey },
  });

  it('says refundRefused once Stripe refused the "no result, no charge" refund for good', () => {
    // Act
    const view = orderView({ ...failedPaid, history: [refused(noResultRefundKey(failedPaid.orderId))] }, {});

    // Assess
    expect(view).toEqual({
      orderId: failedPaid.orderId,
      job: 'failed',
      payment: 'paid',
      delivered: false,
      error: { code: 'processing_error', message: 'We could not analyse this file.' },
      refundRefused: true,
    });
  });

  it.each<[string, Partial<Order>]>([
    ['while the refund is still on its way', { history: [] }],
    ['for another refund refused (a second payment\'s)', { history: [refused('uplock-duplicate-cs_test_2')] }],
    ['once the shop refunded it after all', { payment: 'refunded', history: [refused(noResultRefundKey(failedPaid.orderId))] }],
  ])('leaves refundRefused out %s', (_name, change) => {
    // Act
    const view = orderView({ ...failedPaid, ...change }, {});

    // Assess
    expect(view).not.toHaveProperty('refundRefused');
  });

  it.each<[Order['payment'], string]>([
    ['unpaid', `We could not analyse this file. ${NOT_CHARGED}`],
    ['pending', 'We could not analyse this file.'],
    ['paid', 'We could not analyse this file.'],
    ['refunded', 'We could not analyse this file.'],
  ])('a %s order: the failure message says "not charged" only while nothing was paid', (payment, message) => {
    // Act
    const view = orderView({ ...failedPaid, payment }, {});

    // Assess
    expect(view.error).toEqual({ code: 'processing_error', message });
  });
});
