/**
 * The refund emails' once-markers (core/stripe-events.ts notifyOnce) are written after the send:
 * a crash at any step of "no result, no charge" followed by the retry leaves the customer with the
 * email (the same one twice at worst), and a retry after completion sends nothing.
 */
import { describe, expect, it } from 'vitest';
import type { EmailMessage } from '../../../lambdas/core/emails';
import type { FaultStep } from '../../../lambdas/core/faults';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order, PaymentState } from '../../../lambdas/core/order';
import { refundNoResult, type EventStore } from '../../../lambdas/core/stripe-events';

const orderId = '6a1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b' as OrderId;

const failedPaidOrder: Order = {
  orderId,
  email: 'buyer@example.com',
  payerEmail: 'payer@example.com',
  fileName: 'a.csv',
  size: 10,
  lang: 'en',
  createdAt: '2026-01-01T00:00:00Z',
  job: 'failed',
  payment: 'paid',
  paymentIntentId: 'pi_1',
  expiresAt: 0,
};

class Killed extends Error {}

function world() {
  let order = failedPaidOrder;
  const markers = new Set<string>();
  const sent: { to: string; message: EmailMessage }[] = [];
  const refunds: string[] = [];
  const store = {
    getOrder: async () => order,
    setPayment: async (_id: OrderId, to: PaymentState) => {
      if (order.payment === to) return false;
      order = { ...order, payment: to };
      return true;
    },
    rememberEvent: async (key: string) => !markers.has(key) && Boolean(markers.add(key)),
    seenEvent: async (key: string) => markers.has(key),
  } as unknown as EventStore;
  const deps = (killAt?: FaultStep) => ({
    store,
    // Stripe's idempotency key makes the refund itself once-only; count the calls.
    payments: { refund: async (r: { idempotencyKey: string }) => (refunds.push(r.idempotencyKey), { id: 're_1', status: 'succeeded' }) },
    mailer: { send: async (to: string, message: EmailMessage) => void sent.push({ to, message }) },
    settings: { siteUrl: 'https://shop.example', productName: 'Report', downloadLimit: 5, linkTtlHours: 168 },
    report: () => undefined,
    fault: (step: FaultStep) => {
      if (step === killAt) throw new Killed(step);
    },
  });
  return { deps, sent, refunds, markers, reset: () => (order = failedPaidOrder) };
}

describe('refund emails are marked after they are sent', () => {
  it.each(['event:refund-sent', 'event:customer-emailed'] as const)('a crash at %s, then the retry: the customer has the email', async (step) => {
    const w = world();
    await expect(refundNoResult(orderId, w.deps(step))).rejects.toBeInstanceOf(Killed);
    // The crash may have come after the payment was marked refunded; a retry of the job's failure
    // path finds the order as the crash left it.
    w.reset();
    expect(await refundNoResult(orderId, w.deps())).toBe('refunded_no_result');
    expect(w.sent.length).toBeGreaterThanOrEqual(1);
    expect(w.sent.length).toBeLessThanOrEqual(2);
    expect(new Set(w.sent.map((s) => JSON.stringify(s)))).toHaveProperty('size', 1);
    expect(w.sent[0]?.to).toBe('payer@example.com');
    expect(new Set(w.refunds)).toEqual(new Set([`uplock-no-result-${orderId}`]));
  });

  it.each(['event:refund-sent', 'event:customer-emailed'] as const)('a crash at %s leaves the order as it is, and the retry still sends the one email', async (step) => {
    const w = world();
    await expect(refundNoResult(orderId, w.deps(step))).rejects.toBeInstanceOf(Killed);
    // No reset: at event:customer-emailed the order is refunded already, and the email is still owed.
    expect(await refundNoResult(orderId, w.deps())).toBe('refunded_no_result');
    expect(w.sent).toHaveLength(step === 'event:customer-emailed' ? 2 : 1);
    expect(new Set(w.sent.map((s) => JSON.stringify(s)))).toHaveProperty('size', 1);
    expect(new Set(w.refunds)).toEqual(new Set([`uplock-no-result-${orderId}`]));
    expect(await refundNoResult(orderId, w.deps())).toBe('no_change');
    expect(w.sent).toHaveLength(step === 'event:customer-emailed' ? 2 : 1);
  });

  it('a crash after the order is marked refunded and before the email: the retry sends it, without a second refund', async () => {
    const w = world();
    // The killed runtime marked the payment refunded, then died before the send.
    const dying = { ...w.deps(), mailer: { send: () => new Promise<void>(() => undefined) } };
    void refundNoResult(orderId, dying);
    await new Promise((r) => setTimeout(r, 20));
    expect(w.sent).toHaveLength(0);
    expect(await refundNoResult(orderId, w.deps())).toBe('refunded_no_result');
    expect(w.sent).toHaveLength(1);
    expect(w.refunds).toHaveLength(1);
  });

  it('a runtime killed while the email is being sent (no catch block runs), then the retry: the email goes out', async () => {
    const w = world();
    // The killed runtime never hears back: its send stays pending for good, and nothing after it runs.
    const dying = { ...w.deps(), mailer: { send: () => new Promise<void>(() => undefined) } };
    void refundNoResult(orderId, dying);
    await new Promise((r) => setTimeout(r, 20));
    w.reset();
    await refundNoResult(orderId, w.deps());
    expect(w.sent).toHaveLength(1);
  });

  it('a retry after the email and its marker sends nothing more', async () => {
    const w = world();
    await refundNoResult(orderId, w.deps());
    w.reset();
    await refundNoResult(orderId, w.deps());
    expect(w.sent).toHaveLength(1);
    expect(w.markers.has(`mail:no-result:${orderId}`)).toBe(true);
  });

  it('a send that fails writes no marker, so the retry sends it', async () => {
    const w = world();
    const failing = { ...w.deps(), mailer: { send: async () => Promise.reject(new Error('SES down')) } };
    await expect(refundNoResult(orderId, failing)).rejects.toThrow('SES down');
    expect(w.markers.size).toBe(0);
    w.reset();
    await refundNoResult(orderId, w.deps());
    expect(w.sent).toHaveLength(1);
  });
});
