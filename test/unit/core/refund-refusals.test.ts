/**
 * A refund Stripe refuses for good (core/stripe-events.ts requestRefund): "already refunded"
 * counts as done; any other refusal a retry would only repeat (`charge_disputed`,
 * `resource_missing`…) is recorded on the order once, logged as an error, counted as the
 * RefundRefused metric and answered, so Stripe stops redelivering and the sweeper stops asking.
 * A failure a retry may get past (Stripe unreachable, the same key still in use) still throws.
 */
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../lambdas/contract';
import type { OrderId } from '../../../lambdas/core/ids';
import type { RefundRequest } from '../../../lambdas/core/payment';
import { refundNoResult } from '../../../lambdas/core/stripe-events';
import { sweepPass } from '../../../lambdas/core/sweep';
import { PaymentsError } from '../../../lambdas/ports/payments';
import { InMemoryShop } from '../in-memory/shop';

/** A shop whose order store keeps each order's timeline (the DynamoDB store's `history`). */
function shopWithTimeline() {
  const shop = new InMemoryShop();
  const timeline = new Map<string, TimelineEntry[]>();
  Object.assign(shop.store, {
    recordOrderEvent: async (orderId: OrderId, entry: TimelineEntry) => void timeline.set(orderId, [...(timeline.get(orderId) ?? []), entry]),
  });
  return { shop, timeline: (orderId: OrderId) => timeline.get(orderId) ?? [] };
}

/** Stripe answers every refund with this error, as the stand-in's planned faults (or a real refusal) do. */
function refuseRefunds(shop: InMemoryShop, error: Error): RefundRequest[] {
  const asked: RefundRequest[] = [];
  shop.payments.refund = async (request) => {
    asked.push(request);
    throw error;
  };
  return asked;
}

const refused = (code: string) => new PaymentsError('refused', `refund: Stripe says ${code}`, code);

describe('a refund for a failed job that Stripe refuses for good', () => {
  it.each(['charge_disputed', 'resource_missing', 'charge_not_refundable', 'amount_too_large'])(
    'is recorded on the order, logged and counted once, and the event answered (%s)',
    async (code) => {
      const { shop, timeline } = shopWithTimeline();
      const order = shop.addOrder({ job: 'failed', jobError: { code: 'empty_file', message: 'The file is empty.' } });
      const session = shop.session(order.orderId);
      const asked = refuseRefunds(shop, refused(code));

      const outcome = await shop.deliver(shop.event('checkout.session.completed', session));

      expect(outcome).toBe('refund_refused');
      expect(asked).toHaveLength(1);
      expect(shop.order(order.orderId)).toMatchObject({ job: 'failed', payment: 'paid' });
      expect(timeline(order.orderId)).toEqual([{ at: expect.any(String), kind: 'refund_refused', detail: { code, reason: 'the job failed: no result, no charge', idempotencyKey: `uplock-no-result-${order.orderId}` } }]);
      expect(shop.reports.filter((r) => r.level === 'error')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ orderId: order.orderId, code }) })]);
      expect(shop.metrics).toEqual(['RefundRefused']);
      // Nobody tells the buyer "refunded" when no refund was made.
      expect(shop.mailer.sent).toEqual([]);
    },
  );

  it('is not asked of Stripe again: not by a retry of the job, not by the sweeper', async () => {
    const { shop, timeline } = shopWithTimeline();
    const order = shop.addOrder({ job: 'failed' });
    const session = shop.session(order.orderId);
    const asked = refuseRefunds(shop, refused('charge_disputed'));
    await shop.deliver(shop.event('checkout.session.completed', session));

    const again = await refundNoResult(order.orderId, shop.eventDeps());
    await sweepPass(shop.sweepDeps());

    expect(again).toBe('refund_refused');
    expect(asked).toHaveLength(1);
    expect(timeline(order.orderId).map((e) => e.kind)).toEqual(['refund_refused']);
    expect(shop.metrics).toEqual(['RefundRefused']);
  });

  it('a refund Stripe says is already made counts as done: the order is refunded and the buyer told, once', async () => {
    const { shop } = shopWithTimeline();
    const order = shop.addOrder({ job: 'failed' });
    const session = shop.session(order.orderId);
    refuseRefunds(shop, refused('charge_already_refunded'));

    const outcome = await shop.deliver(shop.event('checkout.session.completed', session));
    const again = await refundNoResult(order.orderId, shop.eventDeps());

    expect(outcome).toBe('refunded_no_result');
    expect(again).toBe('no_change');
    expect(shop.order(order.orderId)).toMatchObject({ job: 'failed', payment: 'refunded' });
    expect(shop.mailer.sent.map((m) => m.to)).toEqual([session.customer_details?.email]);
    expect(shop.metrics).toEqual(['Refunds']);
    expect(shop.reports.filter((r) => r.level === 'error')).toEqual([]);
  });

  it('a refund of a PaymentIntent Stripe does not know (the in-memory Stripe refuses it as resource_missing) is recorded, not retried forever', async () => {
    const { shop } = shopWithTimeline();
    const order = shop.addOrder({ job: 'failed' });
    const session = shop.session(order.orderId, { payment_intent: 'pi_nobody_knows' });
    shop.payments.knownPaymentIntents.delete('pi_nobody_knows');

    const outcome = await shop.deliver(shop.event('checkout.session.completed', session));

    expect(outcome).toBe('refund_refused');
    expect(shop.payments.refunds).toEqual([]);
    expect(shop.metrics).toEqual(['RefundRefused']);
  });

  it.each([
    ['Stripe unreachable', new PaymentsError('unavailable', 'refund: connection reset')],
    ['the same key still in use', new PaymentsError('refused', 'refund: another request with this key is in progress', 'idempotency_key_in_use')],
    ['a wrong key', new PaymentsError('not_authorized', 'refund: invalid API key', 'api_key_expired')],
  ])('a failure a retry may get past (%s) still fails the event, so Stripe retries; nothing is recorded', async (_what, error) => {
    const { shop, timeline } = shopWithTimeline();
    const order = shop.addOrder({ job: 'failed' });
    const session = shop.session(order.orderId);
    refuseRefunds(shop, error);

    await expect(shop.deliver(shop.event('checkout.session.completed', session))).rejects.toBe(error);

    expect(timeline(order.orderId)).toEqual([]);
    expect(shop.metrics).toEqual([]);
  });
});

describe('a second payment whose refund Stripe refuses', () => {
  it('for good (charge_disputed): recorded and counted, the buyer not told of a refund, the order keeps its first payment', async () => {
    const { shop, timeline } = shopWithTimeline();
    const order = shop.addOrder();
    await shop.deliver(shop.event('checkout.session.completed', shop.session(order.orderId)));
    const second = shop.session(order.orderId);
    const mailsBefore = shop.mailer.sent.length;
    refuseRefunds(shop, refused('charge_disputed'));

    const outcome = await shop.deliver(shop.event('checkout.session.completed', second));

    expect(outcome).toBe('refund_refused');
    expect(shop.order(order.orderId)).toMatchObject({ payment: 'paid', sessionId: 'cs_test_1' });
    expect(shop.mailer.sent.length).toBe(mailsBefore);
    expect(timeline(order.orderId).filter((e) => e.kind === 'refund_refused')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ code: 'charge_disputed', idempotencyKey: `uplock-duplicate-${second.id}` }) }),
    ]);
    expect(shop.metrics.filter((m) => m === 'RefundRefused')).toHaveLength(1);
  });

  it('already refunded at Stripe: counted as done, the buyer told once', async () => {
    const { shop } = shopWithTimeline();
    const order = shop.addOrder();
    await shop.deliver(shop.event('checkout.session.completed', shop.session(order.orderId)));
    const second = shop.session(order.orderId);
    const mailsBefore = shop.mailer.sent.length;
    refuseRefunds(shop, refused('charge_already_refunded'));

    const outcome = await shop.deliver(shop.event('checkout.session.completed', second));

    expect(outcome).toBe('refunded_duplicate');
    expect(shop.mailer.sent.length).toBe(mailsBefore + 1);
    expect(shop.metrics.filter((m) => m === 'RefundRefused')).toEqual([]);
  });
});
