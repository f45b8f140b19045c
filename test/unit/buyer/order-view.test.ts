/**
 * The order view (lambdas/core/order.ts orderView) tells the order page about a dispute, so the
 * page can say "Payment disputed" instead of a completed payment; an undisputed order's view is
 * unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import { orderView, type Order } from '../../../lambdas/core/order';

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
