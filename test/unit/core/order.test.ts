import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import {
  DELIVERY_CLAIM_TTL_MS,
  canMoveJob,
  canMovePayment,
  deliveryDue,
  jobStatesBefore,
  orderView,
  paymentStatesBefore,
  type Order,
} from '../../../lambdas/core/order';

const base: Order = {
  orderId: '3b241101-e2bb-4255-8caf-4136c566a962' as OrderId,
  email: 'a@example.com',
  fileName: 'x.csv',
  size: 10,
  lang: 'en',
  createdAt: '2026-01-01T00:00:00.000Z',
  job: 'done',
  payment: 'paid',
  expiresAt: 0,
};

describe('job transitions', () => {
  it.each([
    ['awaiting_upload', 'processing', true],
    ['awaiting_upload', 'failed', true],
    ['processing', 'done', true],
    ['processing', 'failed', true],
    ['done', 'processing', false],
    ['failed', 'processing', false],
    ['done', 'failed', false],
    ['awaiting_upload', 'done', false],
  ] as const)('%s → %s is %s', (from, to, allowed) => {
    expect(canMoveJob(from, to)).toBe(allowed);
  });

  it('lists the states a conditional write must require', () => {
    expect(jobStatesBefore('failed').sort()).toEqual(['awaiting_upload', 'processing']);
    expect(jobStatesBefore('processing')).toEqual(['awaiting_upload']);
  });
});

describe('payment transitions only move forward', () => {
  it.each([
    ['unpaid', 'paid', true],
    ['unpaid', 'pending', true],
    ['pending', 'paid', true],
    ['pending', 'unpaid', true],
    ['paid', 'refunded', true],
    ['paid', 'pending', false],
    ['paid', 'unpaid', false],
    ['refunded', 'paid', false],
    ['unpaid', 'refunded', false],
  ] as const)('%s → %s is %s', (from, to, allowed) => {
    expect(canMovePayment(from, to)).toBe(allowed);
  });

  it('a late "pending" after "paid" is a no-op', () => {
    expect(paymentStatesBefore('pending')).toEqual(['unpaid']);
  });
});

describe('deliveryDue', () => {
  const now = 1_000_000_000;
  it.each([
    ['done and paid', {}, true],
    ['job still processing', { job: 'processing' as const }, false],
    ['payment pending', { payment: 'pending' as const }, false],
    ['refunded', { payment: 'refunded' as const }, false],
    ['already delivered', { deliveredAt: '2026-01-01T00:00:00Z' }, false],
    ['disputed', { disputedAt: '2026-01-01T00:00:00Z' }, false],
    ['claimed a moment ago', { deliveryClaim: { id: 'c', at: now - 1000 } }, false],
    ['claimed exactly the TTL ago (the store still refuses: claimAt < now - TTL)', { deliveryClaim: { id: 'c', at: now - DELIVERY_CLAIM_TTL_MS } }, false],
    ['claim expired (crash between claim and send)', { deliveryClaim: { id: 'c', at: now - DELIVERY_CLAIM_TTL_MS - 1 } }, true],
  ])('%s → %s', (_name, patch, due) => {
    expect(deliveryDue({ ...base, ...patch }, now)).toBe(due);
  });
});

describe('orderView', () => {
  it('shows payUrl only while done and unpaid, and never the email', () => {
    const unpaid = orderView({ ...base, payment: 'unpaid' }, { preview: { rows: 1 }, payUrl: 'https://pay' });
    expect(unpaid).toEqual({ orderId: base.orderId, job: 'done', payment: 'unpaid', delivered: false, preview: { rows: 1 }, payUrl: 'https://pay' });
    expect(orderView(base, { payUrl: 'https://pay' }).payUrl).toBeUndefined();
    expect(orderView({ ...base, job: 'processing', payment: 'unpaid' }, { payUrl: 'https://pay' }).payUrl).toBeUndefined();
    expect(JSON.stringify(unpaid)).not.toContain('a@example.com');
  });

  it('shows the failure reason of a failed job and no preview', () => {
    const view = orderView({ ...base, job: 'failed', jobError: { code: 'empty_file', message: 'The file is empty.' } }, { preview: { x: 1 } });
    expect(view.error).toEqual({ code: 'empty_file', message: 'The file is empty.' });
    expect(view.preview).toBeUndefined();
  });
});
