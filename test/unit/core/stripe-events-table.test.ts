/**
 * Every Stripe event type uplock handles (core/stripe-events.ts), table by table, on the in-memory
 * ports: what each does to a ready order; each arriving early (before the order is paid, before
 * delivery); each duplicated (Stripe's redelivery, and core running it again with no record left);
 * and pairs of events in both orders. Each row names the effects: the order's state, the refunds
 * we asked Stripe for, the emails sent, the links live and revoked.
 */
import { describe, expect, it } from 'vitest';
import { handleStripeEvent } from '../../../lambdas/core/stripe-events';
import { Killed } from '../in-memory/shop';
import { expected, Story, type Effects, type Step } from '../in-memory/story';

describe('each event type on an order whose job is done', () => {
  it.each<[string, readonly Step[], Step, string, Effects]>([
    ['checkout.session.completed, paid', [], 'A:completed:paid', 'delivered', expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['checkout.session.completed, unpaid (a delayed method settling)', [], 'A:completed:unpaid', 'recorded', expected({ payment: 'pending' })],
    ['checkout.session.async_payment_succeeded', ['A:completed:unpaid'], 'A:async:succeeded', 'delivered', expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['checkout.session.async_payment_failed', ['A:completed:unpaid'], 'A:async:failed', 'recorded', expected({ payment: 'unpaid' })],
    ['checkout.session.expired (Payment Link mode: nothing to forget)', [], 'A:expired', 'no_change', expected({ payment: 'unpaid' })],
    ['charge.refunded, in full', ['A:completed:paid'], 'A:refund:full', 'revoked', expected({ payment: 'refunded', delivered: true, emails: ['link', 'refunded'], links: 1, revokedLinks: 1 })],
    ['charge.refunded, partly (the customer keeps the result)', ['A:completed:paid'], 'A:refund:partial', 'no_change', expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['charge.dispute.created', ['A:completed:paid'], 'A:dispute', 'revoked', expected({ payment: 'paid', delivered: true, disputed: true, emails: ['link'], links: 1, revokedLinks: 1 })],
  ])('%s', async (_name, before, step, outcome, effects) => {
    const story = await new Story().run(...before);

    await story.run(step);

    expect(story.outcomes.at(-1)).toBe(outcome);
    expect(story.effects()).toEqual(effects);
    // Only uplock's own refunds (second payments, failed jobs) are asked of Stripe: none here.
    expect(story.shop.payments.calls.refund ?? 0).toBe(0);
  });

  it('checkout.session.expired in checkout-session mode forgets the order\'s session, so the next visit opens a new one', async () => {
    const story = new Story();
    story.shop.paymentMode = 'checkout-session';
    const session = story.session('A');
    story.shop.store.orders.set(story.orderId, { ...story.shop.order(story.orderId), checkoutSession: { id: session.id, url: 'https://checkout.stripe.test/a', expiresAt: story.shop.nowSeconds } });

    await story.run('A:expired');

    expect(story.outcomes).toEqual(['recorded']);
    expect(story.shop.order(story.orderId).checkoutSession).toBeUndefined();
    expect(story.effects()).toEqual(expected({ payment: 'unpaid' }));
  });

  it('a dispute is an alert: the Disputes metric and an error log', async () => {
    const story = await new Story().run('A:completed:paid', 'A:dispute');

    expect(story.shop.metrics).toContain('Disputes');
    expect(story.shop.reports).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('disputed') }));
  });
});

describe('each event arriving early: before the order is paid, or before delivery (the job still running)', () => {
  it.each<[string, readonly Step[], Effects]>([
    ['completed (paid) before the job finished: delivered when it does', ['A:completed:paid', 'job:done'], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['completed (unpaid) before the job finished: nothing to deliver yet', ['A:completed:unpaid', 'job:done'], expected({ payment: 'pending' })],
    ['async_payment_succeeded before the job finished', ['A:completed:unpaid', 'A:async:succeeded', 'job:done'], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['async_payment_succeeded before its completed (the order not yet paid)', ['job:done', 'A:async:succeeded', 'A:completed:unpaid'], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['async_payment_failed before its completed: the order is not left pending', ['job:done', 'A:async:failed', 'A:completed:unpaid'], expected({ payment: 'unpaid' })],
    ['expired before the job finished', ['A:expired', 'job:done'], expected({ payment: 'unpaid' })],
    ['full refund before the payment is recorded: nothing is mailed', ['job:done', 'A:refund:full', 'A:completed:paid'], expected({ payment: 'refunded' })],
    ['full refund before delivery: the job finishes, no link goes out', ['A:completed:paid', 'A:refund:full', 'job:done'], expected({ payment: 'refunded', emails: ['refunded'] })],
    ['partial refund before the payment is recorded: delivered all the same', ['job:done', 'A:refund:partial', 'A:completed:paid'], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['dispute before the payment is recorded: nothing is mailed', ['job:done', 'A:dispute', 'A:completed:paid'], expected({ payment: 'paid', disputed: true })],
    ['dispute before delivery: the job finishes, no link goes out', ['A:completed:paid', 'A:dispute', 'job:done'], expected({ payment: 'paid', disputed: true })],
  ])('%s', async (_name, steps, effects) => {
    const story = await new Story({ job: 'awaiting_upload' }).run(...steps);

    expect(story.effects()).toEqual(effects);
    expect(story.shop.order(story.orderId).job).toBe('done');
  });
});

describe('an early async_payment_failed, its completed killed between two writes', () => {
  it('the completed recorded pending and died before returning the order to unpaid: Stripe\'s redelivery after the in-progress expiry finishes it', async () => {
    const story = await new Story().run('A:async:failed');
    const completed = story.event('A:completed:unpaid');
    story.shop.store.killAfterWrite('setPayment', (to) => to === 'pending');
    await expect(story.shop.deliver(completed, story.shop.now + 10_000)).rejects.toBeInstanceOf(Killed);
    expect(story.shop.order(story.orderId).payment).toBe('pending');

    story.shop.advance(10_001);
    await story.shop.deliver(completed);

    expect(story.effects()).toEqual(expected({ payment: 'unpaid' }));
  });
});

describe('each event duplicated: redelivered by Stripe, and run again by core with no record left', () => {
  it.each<[Step, readonly Step[], Effects]>([
    ['A:completed:paid', [], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['A:completed:unpaid', [], expected({ payment: 'pending' })],
    ['A:async:succeeded', ['A:completed:unpaid'], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['A:async:failed', ['A:completed:unpaid'], expected({ payment: 'unpaid' })],
    ['A:expired', [], expected({ payment: 'unpaid' })],
    ['A:refund:full', ['A:completed:paid'], expected({ payment: 'refunded', delivered: true, emails: ['link', 'refunded'], links: 1, revokedLinks: 1 })],
    ['A:refund:partial', ['A:completed:paid'], expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 })],
    ['A:dispute', ['A:completed:paid'], expected({ payment: 'paid', delivered: true, disputed: true, emails: ['link'], links: 1, revokedLinks: 1 })],
  ])('%s', async (step, before, effects) => {
    const story = await new Story().run(...before, step);
    const first = story.outcomes.at(-1);
    const event = story.event(step as Exclude<Step, 'job:done' | 'job:failed'>);

    // Stripe's redelivery: the stored outcome, nothing run.
    const writes = story.shop.store.writes;
    expect(await story.shop.deliver(event)).toBe(first);
    expect(story.shop.store.writes).toBe(writes);
    // The same event once more through core itself (its record expired, or another path had none).
    await handleStripeEvent(event, story.shop.eventDeps());
    await handleStripeEvent(event, story.shop.eventDeps());

    expect(story.effects()).toEqual(effects);
  });
});

describe('pairs of events in either order end the same', () => {
  it.each<[string, readonly Step[], [Step, Step], { inOrder: Effects; reversed: Effects }]>([
    [
      'completed (unpaid), then async_payment_succeeded',
      [],
      ['A:completed:unpaid', 'A:async:succeeded'],
      {
        inOrder: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
        reversed: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
      },
    ],
    [
      'completed (unpaid), then async_payment_failed',
      [],
      ['A:completed:unpaid', 'A:async:failed'],
      { inOrder: expected({ payment: 'unpaid' }), reversed: expected({ payment: 'unpaid' }) },
    ],
    [
      'completed (paid), then a full refund: revoked either way, told only once a link was mailed',
      [],
      ['A:completed:paid', 'A:refund:full'],
      {
        inOrder: expected({ payment: 'refunded', delivered: true, emails: ['link', 'refunded'], links: 1, revokedLinks: 1 }),
        reversed: expected({ payment: 'refunded' }),
      },
    ],
    [
      'completed (paid), then a partial refund',
      [],
      ['A:completed:paid', 'A:refund:partial'],
      {
        inOrder: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
        reversed: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
      },
    ],
    [
      'completed (paid), then a dispute',
      [],
      ['A:completed:paid', 'A:dispute'],
      {
        inOrder: expected({ payment: 'paid', delivered: true, disputed: true, emails: ['link'], links: 1, revokedLinks: 1 }),
        reversed: expected({ payment: 'paid', disputed: true }),
      },
    ],
    [
      'async_payment_succeeded, then a full refund',
      ['A:completed:unpaid'],
      ['A:async:succeeded', 'A:refund:full'],
      {
        inOrder: expected({ payment: 'refunded', delivered: true, emails: ['link', 'refunded'], links: 1, revokedLinks: 1 }),
        reversed: expected({ payment: 'refunded' }),
      },
    ],
    [
      'the job finishing, then the payment',
      [],
      ['job:done', 'A:completed:paid'],
      {
        inOrder: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
        reversed: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
      },
    ],
  ])('%s', async (_name, before, [first, second], { inOrder, reversed }) => {
    const job = [first, second].includes('job:done') ? 'awaiting_upload' : 'done';
    const forward = await new Story({ job }).run(...before, first, second);
    const backward = await new Story({ job }).run(...before, second, first);

    expect(forward.effects()).toEqual(inOrder);
    expect(backward.effects()).toEqual(reversed);
  });
});
