/**
 * Every claim expires (issue 12): a process killed while it holds one blocks the retry until the
 * claim's expiry, and not a moment longer. One row per claim: how a kill leaves it held, the retry
 * that must wait (run just before the expiry) and the same retry just after it, with the effects
 * each time: the order's state, refunds, emails, links.
 */
import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import { uploadKey } from '../../../lambdas/core/ids';
import { claimDurationMs, runJob } from '../../../lambdas/core/job';
import { DELIVERY_CLAIM_TTL_MS } from '../../../lambdas/core/order';
import { sweep } from '../../../lambdas/core/sweep';
import { expected, finishingProcessor, Story, type Effects } from '../in-memory/story';
import { Killed } from '../in-memory/shop';

/** How long the webhook's handler may run (the stack's function timeout): its in-progress record's expiry. */
const EVENT_DEADLINE_MS = 10_000;
const JOB_CLAIM_MS = claimDurationMs(finishingProcessor);

interface Row {
  /** Leave the claim held, as a kill does; returns the retry to run before and after the expiry. */
  hold(story: Story): Promise<() => Promise<unknown>>;
  job?: 'done' | 'awaiting_upload';
  /** From the kill to the claim's expiry. */
  expiresAfterMs: number;
  before: { outcome: unknown; effects: Effects };
  after: { outcome: unknown; effects: Effects };
}

const sweepOutcomes = (result: Awaited<ReturnType<typeof sweep>>) => ('skipped' in result ? result.skipped : result.outcomes);
const paidNothingYet = expected({ payment: 'paid' });
const deliveredOnce = expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, liveLinks: 1 });

/** Kill the next run of the job at `job:claimed`, as a timeout or a deploy would. */
async function killJob(story: Story, orderId: OrderId): Promise<void> {
  story.shop.killAtStep('job:claimed');
  await expect(runJob(uploadKey(orderId), story.shop.jobDeps(finishingProcessor))).rejects.toBeInstanceOf(Killed);
}

describe('every claim expires: held until its expiry after a kill, taken over after it', () => {
  it.each<[string, Row]>([
    [
      'a Stripe event in progress (killed after recording the payment): Stripe\'s redelivery',
      {
        async hold(story) {
          const event = story.event('A:completed:paid');
          story.shop.killAtStep('event:payment-recorded');
          await expect(story.shop.deliver(event, story.shop.now + EVENT_DEADLINE_MS)).rejects.toBeInstanceOf(Killed);
          return () => story.shop.deliver(event);
        },
        expiresAfterMs: EVENT_DEADLINE_MS,
        before: { outcome: 'in_progress', effects: paidNothingYet },
        after: { outcome: 'delivered', effects: deliveredOnce },
      },
    ],
    [
      'a refund event in progress (killed after revoking the link): Stripe\'s redelivery',
      {
        async hold(story) {
          await story.run('A:completed:paid');
          const event = story.event('A:refund:full');
          story.shop.killAtStep('event:tokens-revoked');
          await expect(story.shop.deliver(event, story.shop.now + EVENT_DEADLINE_MS)).rejects.toBeInstanceOf(Killed);
          return () => story.shop.deliver(event);
        },
        expiresAfterMs: EVENT_DEADLINE_MS,
        before: { outcome: 'in_progress', effects: expected({ payment: 'paid', delivered: true, emails: ['link'], links: 1, revokedLinks: 1 }) },
        after: { outcome: 'revoked', effects: expected({ payment: 'refunded', delivered: true, emails: ['link', 'refunded'], links: 1, revokedLinks: 1 }) },
      },
    ],
    [
      'a delivery claim (killed before the email): the sweeper',
      {
        async hold(story) {
          story.shop.killAtStep('delivery:claimed');
          await expect(story.run('A:completed:paid')).rejects.toBeInstanceOf(Killed);
          return async () => sweepOutcomes(await sweep(story.shop.sweepDeps()));
        },
        expiresAfterMs: DELIVERY_CLAIM_TTL_MS,
        before: { outcome: { no_change: 1 }, effects: paidNothingYet },
        after: { outcome: { delivered: 1 }, effects: deliveredOnce },
      },
    ],
    [
      'a delivery claim (killed after the email, before the mark): the sweeper mails the same link',
      {
        async hold(story) {
          story.shop.killAtStep('delivery:sent');
          await expect(story.run('A:completed:paid')).rejects.toBeInstanceOf(Killed);
          return async () => sweepOutcomes(await sweep(story.shop.sweepDeps()));
        },
        expiresAfterMs: DELIVERY_CLAIM_TTL_MS,
        before: { outcome: { no_change: 1 }, effects: expected({ payment: 'paid', emails: ['link'], links: 1, liveLinks: 1 }) },
        after: { outcome: { delivered: 1 }, effects: expected({ payment: 'paid', delivered: true, emails: ['link', 'link'], links: 1, liveLinks: 1 }) },
      },
    ],
    [
      'a job claim (killed after claiming, the order paid): the upload announced again',
      {
        job: 'awaiting_upload',
        async hold(story) {
          await story.run('A:completed:paid');
          await killJob(story, story.orderId);
          return () => runJob(uploadKey(story.orderId), story.shop.jobDeps(finishingProcessor));
        },
        expiresAfterMs: JOB_CLAIM_MS,
        before: { outcome: 'replayed', effects: paidNothingYet },
        after: { outcome: 'done', effects: deliveredOnce },
      },
    ],
    [
      'a job claim on its last attempt (killed three times, the order paid): failed and refunded',
      {
        job: 'awaiting_upload',
        async hold(story) {
          await story.run('A:completed:paid');
          for (let attempt = 1; attempt <= 3; attempt++) {
            if (attempt > 1) story.shop.advance(JOB_CLAIM_MS + 1);
            await killJob(story, story.orderId);
          }
          return () => runJob(uploadKey(story.orderId), story.shop.jobDeps(finishingProcessor));
        },
        expiresAfterMs: JOB_CLAIM_MS,
        before: { outcome: 'replayed', effects: paidNothingYet },
        after: { outcome: 'failed', effects: expected({ payment: 'refunded', refunds: ['requested_by_customer:A'], emails: ['no_result'] }) },
      },
    ],
    [
      'the sweep lease (a sweep killed while holding it): the next sweep',
      {
        async hold(story) {
          // The payment's webhook was lost: only a sweep delivers it.
          story.session('A');
          const deadline = story.shop.now + 120_000;
          story.shop.store.lease = { owner: 'killed-sweep', until: deadline };
          return async () => sweepOutcomes(await sweep(story.shop.sweepDeps()));
        },
        expiresAfterMs: 120_000,
        before: { outcome: 'lease_held', effects: expected({ payment: 'unpaid' }) },
        after: { outcome: { delivered: 1 }, effects: deliveredOnce },
      },
    ],
  ])('%s', async (_name, row) => {
    const story = new Story({ job: row.job ?? 'done' });
    const retry = await row.hold(story);

    story.shop.advance(row.expiresAfterMs - 1);
    expect(await retry()).toEqual(row.before.outcome);
    expect(story.effects()).toEqual(row.before.effects);

    story.shop.advance(2);
    expect(await retry()).toEqual(row.after.outcome);
    expect(story.effects()).toEqual(row.after.effects);
  });
});
