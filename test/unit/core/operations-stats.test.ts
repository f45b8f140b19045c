/** `uplock stats` and `export`: medians from the order's own times, smoke-test orders left out. */
import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import { exportCsv, median, shopStats } from '../../../lambdas/core/operations';
import type { Order } from '../../../lambdas/core/order';

let n = 0;
function order(overrides: Partial<Order> = {}): Order {
  n += 1;
  return {
    orderId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as OrderId,
    email: `buyer${n}@example.com`,
    fileName: 'a.csv',
    size: 10,
    lang: 'en',
    createdAt: '2026-01-10T10:00:00.000Z',
    job: 'done',
    payment: 'unpaid',
    expiresAt: 0,
    ...overrides,
  };
}

const at = (seconds: number) => new Date(Date.parse('2026-01-10T10:00:00.000Z') + seconds * 1000).toISOString();
const since = new Date('2026-01-01T00:00:00Z');

describe('median', () => {
  it.each([
    [[], undefined],
    [[5], 5],
    [[9, 1, 5], 5],
    [[1, 2, 3, 10], 3],
  ])('of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('shopStats', () => {
  it('gives the median upload → preview time of finished jobs and pay → email time of delivered orders', () => {
    const orders = [
      order({ jobStartedAt: at(0), jobEndedAt: at(2), payment: 'paid', paidAt: at(10), deliveredAt: at(11), amount: 500, currency: 'usd' }),
      order({ jobStartedAt: at(0), jobEndedAt: at(4), payment: 'paid', paidAt: at(10), deliveredAt: at(13), amount: 500, currency: 'usd' }),
      order({ jobStartedAt: at(0), jobEndedAt: at(30) }),
      // A failed job shows no preview: its time is not an upload → preview time.
      order({ job: 'failed', jobStartedAt: at(0), jobEndedAt: at(100) }),
    ];

    const stats = shopStats(orders, since);

    expect(stats.medianUploadToPreviewMs).toBe(4000);
    expect(stats.medianPayToEmailMs).toBe(2000);
    expect(stats.failedJobs).toBe(1);
  });

  it('leaves the medians out when no order has both times', () => {
    const stats = shopStats([order({ jobStartedAt: at(0) })], since);

    expect(stats).not.toHaveProperty('medianUploadToPreviewMs');
    expect(stats).not.toHaveProperty('medianPayToEmailMs');
  });

  it('counts refunds and disputes, and keeps refunded money out of revenue', () => {
    const orders = [
      order({ payment: 'paid', amount: 500, currency: 'usd' }),
      order({ payment: 'refunded', amount: 500, currency: 'usd', refundedAt: at(50) }),
      order({ payment: 'paid', amount: 700, currency: 'jpy', disputedAt: at(60) }),
    ];

    const stats = shopStats(orders, since);

    expect(stats).toMatchObject({ paid: 3, refunds: 1, disputes: 1, revenue: { usd: 500, jpy: 700 } });
  });

  it('leaves smoke-test orders out of every figure', () => {
    const orders = [order({ payment: 'paid', amount: 500, currency: 'usd' }), order({ smoke: true, jobStartedAt: at(0), jobEndedAt: at(1) }), order({ smoke: true, job: 'failed' })];

    const stats = shopStats(orders, since);

    expect(stats).toMatchObject({ orders: 1, previews: 1, paid: 1, failedJobs: 0 });
    expect(stats).not.toHaveProperty('medianUploadToPreviewMs');
  });
});

describe('exportCsv', () => {
  it('leaves smoke-test orders out', () => {
    const real = order();
    const smoke = order({ smoke: true });

    const lines = exportCsv([real, smoke]).trimEnd().split('\r\n');

    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${real.orderId},`));
  });
});
