/**
 * The sweeper without servers (core/sweep.ts on the in-memory ports of test/unit/in-memory): its
 * lease, its skipping of settled sessions without a write, its deadline and cursor, and its
 * recovery of refunds and disputes whose events were lost or killed.
 */
import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../lambdas/core/ids';
import { SWEEP_DEADLINE_MARGIN_MS, SWEEP_LOOKBACK_SECONDS, sweep, type SweepReport } from '../../../lambdas/core/sweep';
import { InMemoryShop, Killed } from '../in-memory/shop';

const report = (result: Awaited<ReturnType<typeof sweep>>): SweepReport => {
  if ('skipped' in result) throw new Error('the sweep was skipped');
  return result;
};

/** An order whose payment was recorded and delivered: what most listed sessions look like. */
async function deliveredOrder(shop: InMemoryShop): Promise<OrderId> {
  const { orderId } = shop.addOrder();
  const session = shop.session(orderId);
  expect(await shop.deliver(shop.event('checkout.session.completed', session))).toBe('delivered');
  return orderId;
}

describe('sweep: sessions', () => {
  it('skips sessions that carry no order id without warning, and reports sessions of unknown orders', async () => {
    const shop = new InMemoryShop();
    shop.session('not-an-order' as OrderId);
    shop.session('3b241101-e2bb-4255-8caf-4136c566a962' as OrderId);

    const result = report(await sweep(shop.sweepDeps()));

    expect(result).toMatchObject({ sessions: 2, outcomes: { not_ours: 1, unknown_order: 1 } });
    expect(shop.reports.map((r) => r.message)).toEqual(['checkout session for an unknown order']);
  });

  it('fulfils a payment whose webhook never arrived, and the next sweep skips it', async () => {
    const shop = new InMemoryShop();
    const { orderId, email } = shop.addOrder();
    const session = shop.session(orderId, { customer_details: { email } });

    const first = report(await sweep(shop.sweepDeps()));
    const second = report(await sweep(shop.sweepDeps()));

    expect(first.outcomes).toEqual({ delivered: 1 });
    expect(shop.order(orderId)).toMatchObject({ payment: 'paid', sessionId: session.id });
    expect(shop.mailer.linksTo(email)).toHaveLength(1);
    expect(second.outcomes).toEqual({ settled: 1 });
  });

  it('skips 250 settled sessions (three Stripe pages) with no write but its lease and cursor', async () => {
    const shop = new InMemoryShop();
    for (let i = 0; i < 250; i++) await deliveredOrder(shop);
    const writesBefore = shop.store.writes;
    const readsBefore = shop.store.reads;

    const result = report(await sweep(shop.sweepDeps()));

    expect(result).toMatchObject({ sessions: 250, outcomes: { settled: 250 } });
    // take lease, save cursor, release lease
    expect(shop.store.writes - writesBefore).toBe(3);
    // cursor, one batched read per page of orders, nothing per session
    expect(shop.store.reads - readsBefore).toBe(1 + 3);
    expect(shop.payments.calls.listSessionsPage).toBe(3);
  });

  it('retries a delivery whose claim a crash left behind, once the claim expired', async () => {
    const shop = new InMemoryShop();
    const { orderId, email } = shop.addOrder();
    const session = shop.session(orderId, { customer_details: { email } });
    shop.killAtStep('delivery:sent');
    await expect(shop.deliver(shop.event('checkout.session.completed', session))).rejects.toBeInstanceOf(Killed);

    expect(report(await sweep(shop.sweepDeps())).outcomes).toEqual({ no_change: 1 });
    shop.advance(5 * 60_000 + 1);
    expect(report(await sweep(shop.sweepDeps())).outcomes).toEqual({ delivered: 1 });
    // The same link twice at worst, never a second one.
    expect(new Set(shop.mailer.linksTo(email)).size).toBe(1);
  });

  it('refunds a second payment once, and later sweeps skip it without asking Stripe again', async () => {
    const shop = new InMemoryShop();
    const { orderId } = shop.addOrder();
    shop.session(orderId);
    shop.session(orderId);

    const first = report(await sweep(shop.sweepDeps()));
    const again = report(await sweep(shop.sweepDeps()));

    // Whichever session was recorded as the payment, the other one is refunded.
    expect(first.outcomes).toEqual({ delivered: 1, refunded_duplicate: 1 });
    const kept = shop.order(orderId).paymentIntentId;
    expect(shop.payments.refunds).toEqual([expect.objectContaining({ paymentIntentId: kept === 'pi_1' ? 'pi_2' : 'pi_1', reason: 'duplicate' })]);
    expect(again.outcomes).toEqual({ settled: 2 });
    expect(shop.payments.calls.refund).toBe(1);
  });

  it('looks back four days, and only at the Payment Link\'s sessions', async () => {
    const shop = new InMemoryShop();
    const old = shop.addOrder();
    shop.session(old.orderId);
    shop.advance((SWEEP_LOOKBACK_SECONDS + 60) * 1000);
    const other = shop.addOrder();
    shop.session(other.orderId, { payment_link: 'plink_someone_else' });

    const result = report(await sweep(shop.sweepDeps()));

    expect(result.sessions).toBe(0);
    expect(shop.order(old.orderId).payment).toBe('unpaid');
  });
});

describe('sweep: deadline and cursor', () => {
  it('stops before its deadline, saves where it was, and the next sweep takes what is new first, then the rest', async () => {
    const shop = new InMemoryShop();
    const orders = Array.from({ length: 300 }, () => shop.addOrder().orderId);
    for (const orderId of orders) shop.session(orderId);
    shop.advance(20 * 60_000);
    // Reconciling one page takes the clock past the point where no new page may start.
    const deps = shop.sweepDeps(shop.now + SWEEP_DEADLINE_MARGIN_MS + 1000);
    const slowMailer = shop.mailer.send.bind(shop.mailer);
    shop.mailer.send = async (to, message) => {
      shop.advance(20);
      return slowMailer(to, message);
    };

    const first = report(await sweep(deps));

    expect(first).toMatchObject({ sessions: 100, unfinished: true, outcomes: { delivered: 100 } });
    expect(shop.store.cursor?.resume).toMatchObject({ after: 'cs_test_201' });
    expect(shop.store.lease).toBeUndefined();

    const late = shop.addOrder();
    shop.session(late.orderId);
    const second = report(await sweep(shop.sweepDeps()));

    // The new session, then the remaining 200.
    expect(second).toMatchObject({ sessions: 1 + 200, outcomes: { delivered: 201 } });
    expect(second.unfinished).toBeUndefined();
    expect(shop.store.cursor?.resume).toBeUndefined();
    expect(orders.every((id) => shop.order(id).deliveredAt)).toBe(true);
  });

  it('starts a fresh pass when Stripe no longer knows the session it was to resume after', async () => {
    const shop = new InMemoryShop();
    const { orderId } = shop.addOrder();
    shop.session(orderId);
    shop.store.cursor = { resume: { after: 'cs_test_gone', passStartedAt: shop.nowSeconds - 60 } };

    report(await sweep(shop.sweepDeps()));

    expect(shop.store.cursor?.resume).toBeUndefined();
    expect(shop.reports.map((r) => r.message)).toContain('sweeper could not list sessions from its cursor: the next sweep starts a fresh pass');
  });
});

describe('sweep: lease', () => {
  it('does nothing while another sweep holds the lease', async () => {
    const shop = new InMemoryShop();
    const { orderId } = shop.addOrder();
    shop.session(orderId);
    shop.store.lease = { owner: 'other-sweep', until: shop.now + 60_000 };

    const result = await sweep(shop.sweepDeps());

    expect(result).toEqual({ skipped: 'lease_held', heldUntil: shop.now + 60_000 });
    expect(shop.order(orderId).payment).toBe('unpaid');
    expect(shop.store.lease?.owner).toBe('other-sweep');
  });

  it('takes over a lease that expired (its holder was killed), and gives it back at the end', async () => {
    const shop = new InMemoryShop();
    const { orderId } = shop.addOrder();
    shop.session(orderId);
    shop.store.lease = { owner: 'killed-sweep', until: shop.now - 1 };

    const result = report(await sweep(shop.sweepDeps()));

    expect(result.outcomes).toEqual({ delivered: 1 });
    expect(shop.store.lease).toBeUndefined();
  });

  it('holds the lease until its deadline, so two sweeps started together run one after the other', async () => {
    const shop = new InMemoryShop();
    const seen: string[] = [];
    const deps = shop.sweepDeps(shop.now + 120_000);
    const listing = {
      completedSessionPages: shop.payments.completedSessionPages.bind(shop.payments),
      listEvents: async function* () {
        seen.push('listed events');
      },
    };
    const first = sweep({ ...deps, source: listing });
    const second = sweep({ ...deps, source: listing });

    const results = await Promise.all([first, second]);

    expect(results.filter((r) => 'skipped' in r)).toHaveLength(1);
    expect(seen).toEqual(['listed events']);
  });

  it('a lease whose reply was lost and retried is its own, not another sweep\'s', async () => {
    const shop = new InMemoryShop();
    shop.store.loseNextReply('takeSweepLease');

    const result = await sweep(shop.sweepDeps());

    expect('skipped' in result).toBe(false);
    expect(shop.store.lease).toBeUndefined();
  });

  it('gives the lease back when the sweep fails', async () => {
    const shop = new InMemoryShop();
    const deps = shop.sweepDeps();
    const failing = {
      ...deps,
      source: {
        completedSessionPages: shop.payments.completedSessionPages.bind(shop.payments),
        listEvents: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('Stripe unreachable')) }) }),
      },
    };

    await expect(sweep(failing)).rejects.toThrow('Stripe unreachable');
    expect(shop.store.lease).toBeUndefined();
  });
});

describe('sweep: refunds and disputes whose events were lost', () => {
  it.each([
    ['charge.refunded', (shop: InMemoryShop, s: Parameters<InMemoryShop['dispute']>[0]) => shop.refundedCharge(s), { payment: 'refunded' }],
    ['charge.dispute.created', (shop: InMemoryShop, s: Parameters<InMemoryShop['dispute']>[0]) => shop.dispute(s), { payment: 'paid', disputedAt: expect.any(String) }],
  ] as const)('applies a %s that never reached the webhook: the link stops working', async (type, object, state) => {
    const shop = new InMemoryShop();
    const orderId = await deliveredOrder(shop);
    const session = shop.payments.sessions[0] as Parameters<InMemoryShop['dispute']>[0];
    expect(shop.liveTokens(orderId)).toBe(1);
    shop.event(type, object(shop, session));

    const result = report(await sweep(shop.sweepDeps()));

    expect(result.events).toEqual({ listed: 1, outcomes: { revoked: 1 } });
    expect(shop.order(orderId)).toMatchObject(state);
    expect(shop.liveTokens(orderId)).toBe(0);
  });

  it('takes over a refund whose handling was killed, once its in-progress record expired', async () => {
    const shop = new InMemoryShop();
    const orderId = await deliveredOrder(shop);
    const session = shop.payments.sessions[0] as Parameters<InMemoryShop['dispute']>[0];
    const refund = shop.event('charge.refunded', shop.refundedCharge(session));
    shop.killAtStep('event:tokens-revoked');
    await expect(shop.deliver(refund, shop.now + 10_000)).rejects.toBeInstanceOf(Killed);
    // Tokens revoked, the order still says paid: half done.
    expect(shop.order(orderId).payment).toBe('paid');

    // While the killed attempt's record is in progress, the sweep leaves it and keeps its cursor there.
    const during = report(await sweep(shop.sweepDeps()));
    expect(during.events.outcomes).toEqual({ in_progress: 1 });
    expect(shop.store.cursor?.eventsSince).toBe(refund.created);

    shop.advance(10_001);
    const after = report(await sweep(shop.sweepDeps()));
    expect(after.events.outcomes).toEqual({ revoked: 1 });
    expect(shop.order(orderId).payment).toBe('refunded');
  });

  it('does not run again an event already handled, and lists events only since its cursor', async () => {
    const shop = new InMemoryShop();
    const orderId = await deliveredOrder(shop);
    const session = shop.payments.sessions[0] as Parameters<InMemoryShop['dispute']>[0];
    expect(await shop.deliver(shop.event('charge.refunded', shop.refundedCharge(session)))).toBe('revoked');
    shop.advance(20 * 60_000);
    const writes = shop.store.writes;

    const first = report(await sweep(shop.sweepDeps()));
    const firstWrites = shop.store.writes - writes;
    const second = report(await sweep(shop.sweepDeps()));

    // The stored outcome, nothing run: only the lease and the cursor were written.
    expect(first.events).toEqual({ listed: 1, outcomes: { revoked: 1 } });
    expect(firstWrites).toBe(3);
    expect(second.events.listed).toBe(0);
    expect(shop.order(orderId).payment).toBe('refunded');
  });

  it('applies a refund before the payment it refunds, when both events were lost', async () => {
    const shop = new InMemoryShop();
    const { orderId, email } = shop.addOrder();
    const session = shop.session(orderId, { customer_details: { email } });
    shop.event('charge.refunded', shop.refundedCharge(session));

    const result = report(await sweep(shop.sweepDeps()));

    expect(result.events.outcomes).toEqual({ no_change: 1 });
    expect(result.outcomes).toEqual({ revoked: 1 });
    expect(shop.order(orderId).payment).toBe('refunded');
    expect(shop.mailer.linksTo(email)).toEqual([]);
  });
});
