/**
 * The sweeper as the backstop of "no result, no charge": the job announces a paid order's failure
 * on the bus ("Job Failed", handled by the stripe-events function: adapters/job-deps.ts). When that
 * event is lost (the job killed before PutEvents, EventBridge giving up), the sweep of the paid
 * session finds the order failed and unrefunded and refunds it once; later sweeps skip it.
 */
import { describe, expect, it } from 'vitest';
import { sweep, type SweepReport } from '../../../lambdas/core/sweep';
import { InMemoryShop } from '../in-memory/shop';

const report = (result: Awaited<ReturnType<typeof sweep>>): SweepReport => {
  if ('skipped' in result) throw new Error('the sweep was skipped');
  return result;
};

describe('sweep: a paid order whose job failed and whose refund event was lost', () => {
  it('is refunded once and the payer told once; the next sweep skips it', async () => {
    const shop = new InMemoryShop();
    const { orderId } = shop.addOrder({ job: 'processing' });
    const session = shop.session(orderId);
    // Paid while the job ran (the webhook recorded it), then the job failed: the order is failed and
    // paid, and the "Job Failed" event never reached the refund.
    expect(await shop.deliver(shop.event('checkout.session.completed', session))).toBe('recorded');
    expect(await shop.store.failJob(orderId, { code: 'processing_error', message: 'We could not analyse this file.' })).toBe(true);
    expect(shop.order(orderId)).toMatchObject({ job: 'failed', payment: 'paid' });

    const first = report(await sweep(shop.sweepDeps()));
    const second = report(await sweep(shop.sweepDeps()));

    expect(first.outcomes).toEqual({ refunded_no_result: 1 });
    expect(shop.order(orderId).payment).toBe('refunded');
    expect(shop.payments.refunds.map((r) => r.idempotencyKey)).toEqual([`uplock-no-result-${orderId}`]);
    const payer = session.customer_details?.email as string;
    expect(shop.mailer.sent.filter((m) => m.to === payer)).toHaveLength(1);
    expect(second.outcomes).toEqual({ settled: 1 });
    expect(shop.payments.refunds).toHaveLength(1);
  });
});
