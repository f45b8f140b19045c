/**
 * Money that must go back, table by table, on the in-memory ports: a second (third) payment for
 * one order is refunded as a duplicate, and a job that fails after payment is refunded ("no
 * result, no charge") — each exactly once, whatever the order of events, replays, sweeps and
 * crashes. Each row names the effects: which session the order's payment is, the refunds we asked
 * Stripe for (`reason:session`), the emails sent, the links live and revoked.
 */
import { describe, expect, it } from 'vitest';
import type { FaultStep } from '../../../lambdas/core/faults';
import { sweep } from '../../../lambdas/core/sweep';
import { expected, Story, type Effects, type Step } from '../in-memory/story';
import { Killed } from '../in-memory/shop';

describe('duplicate payments for one order: the second session paid is refunded', () => {
  it.each<[string, 'done' | 'awaiting_upload', readonly Step[], Effects]>([
    [
      'a second payment after the first was delivered',
      'done',
      ['A:completed:paid', 'B:completed:paid'],
      expected({ payment: 'paid', paidBy: 'A', delivered: true, refunds: ['duplicate:B'], emails: ['link', 'duplicate'], links: 1, liveLinks: 1 }),
    ],
    [
      'a second payment before the job finished: one delivery when it does',
      'awaiting_upload',
      ['A:completed:paid', 'B:completed:paid', 'job:done'],
      expected({ payment: 'paid', paidBy: 'A', delivered: true, refunds: ['duplicate:B'], emails: ['duplicate', 'link'], links: 1, liveLinks: 1 }),
    ],
    [
      'a card payment while a delayed one settles: the card is kept, the delayed one refunded when it succeeds',
      'done',
      ['A:completed:unpaid', 'B:completed:paid', 'A:async:succeeded'],
      expected({ payment: 'paid', paidBy: 'B', delivered: true, refunds: ['duplicate:A'], emails: ['link', 'duplicate'], links: 1, liveLinks: 1 }),
    ],
    [
      'a card payment while a delayed one settles, and the delayed one fails: nothing to refund',
      'done',
      ['A:completed:unpaid', 'B:completed:paid', 'A:async:failed'],
      expected({ payment: 'paid', paidBy: 'B', delivered: true, emails: ['link'], links: 1, liveLinks: 1 }),
    ],
    [
      'three payments: two refunds, one link',
      'done',
      ['A:completed:paid', 'B:completed:paid', 'C:completed:paid'],
      expected({ payment: 'paid', paidBy: 'A', delivered: true, refunds: ['duplicate:B', 'duplicate:C'], emails: ['link', 'duplicate', 'duplicate'], links: 1, liveLinks: 1 }),
    ],
    [
      'the second payment replayed by Stripe: refunded and mailed once',
      'done',
      ['A:completed:paid', 'B:completed:paid', 'B:completed:paid'],
      expected({ payment: 'paid', paidBy: 'A', delivered: true, refunds: ['duplicate:B'], emails: ['link', 'duplicate'], links: 1, liveLinks: 1 }),
    ],
    [
      'our refund of the second payment comes back as charge.refunded: the order keeps its link',
      'done',
      ['A:completed:paid', 'B:completed:paid', 'B:refund:full'],
      expected({ payment: 'paid', paidBy: 'A', delivered: true, refunds: ['duplicate:B'], emails: ['link', 'duplicate'], links: 1, liveLinks: 1 }),
    ],
    [
      'a payment after the order was refunded: refunded too',
      'done',
      ['A:completed:paid', 'A:refund:full', 'B:completed:paid'],
      expected({ payment: 'refunded', paidBy: 'A', delivered: true, refunds: ['duplicate:B'], emails: ['link', 'refunded', 'duplicate'], links: 1, revokedLinks: 1 }),
    ],
  ])('%s', async (_name, job, steps, effects) => {
    const story = await new Story({ job }).run(...steps);

    expect(story.effects()).toEqual(effects);
  });

  it('two payments handled at the same moment: one is kept, the other refunded, one link', async () => {
    const story = new Story();
    const [a, b] = [story.event('A:completed:paid'), story.event('B:completed:paid')];

    await Promise.all([story.shop.deliver(a), story.shop.deliver(b)]);
    const effects = story.effects();

    expect(effects).toMatchObject({ payment: 'paid', delivered: true, links: 1, liveLinks: 1 });
    const kept = effects.paidBy;
    expect(effects.refunds).toEqual([`duplicate:${kept === 'A' ? 'B' : 'A'}`]);
    expect([...effects.emails].sort()).toEqual(['duplicate', 'link']);
  });

  it('the sweeper after a second payment: nothing more refunded or mailed, and no write', async () => {
    const story = await new Story().run('A:completed:paid', 'B:completed:paid');
    const before = story.effects();
    const writes = story.shop.store.writes;

    const result = await sweep(story.shop.sweepDeps());

    expect(result).toMatchObject({ sessions: 2, outcomes: { settled: 2 } });
    expect(story.effects()).toEqual(before);
    // lease, cursor, release
    expect(story.shop.store.writes - writes).toBe(3);
  });
});

describe('a job failing after payment: refunded exactly once ("no result, no charge")', () => {
  const noResult = expected({ payment: 'refunded', refunds: ['requested_by_customer:A'], emails: ['no_result'] });

  it.each<[string, readonly Step[], Effects]>([
    ['paid, then the job fails', ['A:completed:paid', 'job:failed'], noResult],
    ['the job fails, then the payment arrives', ['job:failed', 'A:completed:paid'], noResult],
    ['paid, the job fails, then Stripe redelivers the payment', ['A:completed:paid', 'job:failed', 'A:completed:paid'], noResult],
    ['a delayed payment settling while the job fails', ['A:completed:unpaid', 'job:failed', 'A:async:succeeded'], noResult],
    ['the job fails while a delayed payment settles, and it fails too: nothing to refund', ['A:completed:unpaid', 'job:failed', 'A:async:failed'], expected({ payment: 'unpaid' })],
    [
      'paid twice, then the job fails: the second as a duplicate, the first for no result',
      ['A:completed:paid', 'B:completed:paid', 'job:failed'],
      expected({ payment: 'refunded', paidBy: 'A', refunds: ['duplicate:B', 'requested_by_customer:A'], emails: ['duplicate', 'no_result'] }),
    ],
  ])('%s', async (_name, steps, effects) => {
    const story = await new Story({ job: 'awaiting_upload' }).run(...steps);

    expect(story.effects()).toEqual(effects);
    expect(story.shop.order(story.orderId).job).toBe('failed');
  });

  it.each<[FaultStep, number, Effects]>([
    // Killed before the refund: the sweeper finds the paid session of a failed job and refunds.
    ['job:failed', 1, noResult],
    // Killed after the refund, before the order says so: asked again, Stripe's idempotency key returns the same refund.
    ['event:refund-sent', 2, noResult],
    // Killed after the email, before its marker: the order says refunded, so nothing is repeated.
    ['event:customer-emailed', 1, noResult],
  ])('killed at %s, then the sweeper: one refund (asked %i times), the buyer told', async (step, refundCalls, effects) => {
    const story = await new Story({ job: 'awaiting_upload' }).run('A:completed:paid');
    story.shop.killAtStep(step);
    await expect(story.run('job:failed')).rejects.toBeInstanceOf(Killed);

    await sweep(story.shop.sweepDeps());
    await sweep(story.shop.sweepDeps());

    expect(story.effects()).toEqual(effects);
    expect(story.shop.payments.calls.refund).toBe(refundCalls);
  });
});
