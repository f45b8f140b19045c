/**
 * The reconciliation sweeper: what repairs the payment path when Stripe's events never arrived,
 * or arrived and were killed half-way and are past their retries. It runs, under a lease (one
 * sweep at a time, whoever starts it: the schedule in AWS, the timer of the local cloud, `uplock
 * sweep`):
 *
 * 1. recent refund, dispute and failed-payment events, listed from Stripe since the last sweep's
 *    cursor, through the same idempotent path as the webhook (a `handleEvent` the caller wires to
 *    Powertools idempotency): an event already handled costs nothing, one killed half-way is taken
 *    over once its in-progress record expired;
 * 2. the completed Checkout Sessions of the last four days, a Stripe page (100) at a time: one
 *    batched read of their orders decides which are settled already, and those are skipped
 *    without a write; the rest go through the webhook's own `reconcileSession`, a few at a time.
 *    It fulfils payments whose webhook never arrived, retries deliveries whose claim expired after
 *    a crash, and refunds what must be refunded.
 *
 * It stops taking new pages before the function's deadline and saves where it was: the next run
 * sweeps what is new, then continues the unfinished pass. Running it twice changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { parseOrderId, type OrderId } from './ids';
import type { Order } from './order';
import { paymentStateOf, type SessionFacts } from './payment';
import {
  duplicateMailKey,
  isStripeEvent,
  reconcileSession,
  sessionSettled,
  type EventDeps,
  type EventOutcome,
  type EventStore,
  type StripeEvent,
} from './stripe-events';

/** Stripe retries webhooks for three days; look back a little further. Powertools keeps event records 7 days: this stays below. */
export const SWEEP_LOOKBACK_SECONDS = 4 * 24 * 3600;
/** Events are listed again from a little before the last sweep began: an event is listable a moment after its `created`. */
export const SWEEP_EVENT_OVERLAP_SECONDS = 10 * 60;
/** No new page is started this close to the deadline, so the lease is released and the cursor saved in time. */
export const SWEEP_DEADLINE_MARGIN_MS = 20_000;
/** Sessions reconciled at once: each costs a few DynamoDB calls, an email or a Stripe refund. */
export const SWEEP_CONCURRENCY = 8;
/** How long a sweep started by hand (`uplock sweep`) may take: the sweeper function's timeout (lib/uplock-stack.ts). */
export const SWEEP_BUDGET_MS = 120_000;

/**
 * Events nothing else repairs: a lost `checkout.session.completed` is repaired from the session
 * list, but a refund, a dispute or a failed delayed payment leave no trace on a session.
 */
export const SWEPT_EVENT_TYPES = ['charge.refunded', 'charge.dispute.created', 'checkout.session.async_payment_failed'] as const;

export interface ListedEvent extends StripeEvent {
  /** Epoch seconds. */
  readonly created: number;
}

export interface SweepSource {
  /** Completed sessions created since `sinceSeconds`, newest first, one Stripe page at a time; `startingAfter` continues after that session. */
  completedSessionPages(opts: { paymentLinkId?: string; sinceSeconds: number; startingAfter?: string }): AsyncIterable<readonly SessionFacts[]>;
  /** Events of these types created since `sinceSeconds`, newest first. */
  listEvents(opts: { types: readonly string[]; sinceSeconds: number }): AsyncIterable<ListedEvent>;
}

export interface SweepLease {
  readonly owner: string;
  /** Epoch ms: after this anyone may take the lease over (its holder was killed). */
  readonly until: number;
}

export interface SweepCursor {
  /** Events created before this (epoch seconds) were handled by an earlier sweep. */
  readonly eventsSince?: number;
  /** A pass over sessions that stopped at its deadline: it continues after `after`; sessions created since `passStartedAt` are new. */
  readonly resume?: { readonly after: string; readonly passStartedAt: number };
}

export interface SweepStore {
  /** Take the lease if nobody holds it or its holder's lease expired before `now`. */
  takeSweepLease(owner: string, now: number, until: number): Promise<boolean>;
  /** Who holds it now (a refused take may be our own write, retried after its reply was lost). */
  sweepLease(): Promise<SweepLease | undefined>;
  /** Give it back, if still ours. */
  releaseSweepLease(owner: string): Promise<void>;
  sweepCursor(): Promise<SweepCursor | undefined>;
  saveSweepCursor(cursor: SweepCursor): Promise<void>;
  /** Orders as they are now, batched: what decides, without a write, that a session needs nothing. */
  ordersForSweep(orderIds: readonly OrderId[]): Promise<ReadonlyMap<OrderId, Order>>;
  /** Which of these once-only markers (EventStore.rememberEvent keys) exist, batched. */
  markersForSweep(keys: readonly string[]): Promise<ReadonlySet<string>>;
}

/** What happened to one event the sweep handed to the idempotent path. */
export type RecoveredOutcome = EventOutcome | 'in_progress';

export interface SweepDeps extends Omit<EventDeps, 'store'> {
  readonly store: EventStore;
  readonly sweepStore: SweepStore;
  readonly source: SweepSource;
  /** The webhook's own path, once per event id (adapters/stripe-event-idempotency.ts); `in_progress` while another attempt holds it. */
  readonly handleEvent: (event: StripeEvent) => Promise<RecoveredOutcome>;
  /** Epoch ms when the sweep must be over (the function's deadline); its lease lasts until then. */
  readonly deadline: number;
  readonly concurrency?: number;
}

export type SessionOutcome = EventOutcome | 'error' | 'not_ours' | 'settled';

export interface SweepReport {
  /** Sessions looked at. */
  sessions: number;
  /** `settled`: already reconciled, skipped without a write. */
  outcomes: Partial<Record<SessionOutcome, number>>;
  events: { listed: number; outcomes: Partial<Record<RecoveredOutcome | 'error' | 'malformed', number>> };
  /** The pass stopped at its deadline; the next sweep continues it. */
  unfinished?: boolean;
}

export type LeasedSweep<T> = T | { skipped: 'lease_held'; heldUntil?: number };

/**
 * Run `work` holding the sweep lease, or not at all when another sweep holds it. The lease
 * expires at the deadline: a sweep killed at its timeout blocks the next for no longer.
 */
export async function withSweepLease<T>(
  store: SweepStore,
  opts: { deadline: number; now?: () => number; report?: EventDeps['report'] },
  work: () => Promise<T>,
): Promise<LeasedSweep<T>> {
  const owner = randomUUID();
  const now = (opts.now ?? Date.now)();
  if (!(await store.takeSweepLease(owner, now, opts.deadline))) {
    const holder = await store.sweepLease();
    if (holder?.owner !== owner) return { skipped: 'lease_held', ...(holder ? { heldUntil: holder.until } : {}) };
  }
  try {
    return await work();
  } finally {
    await store.releaseSweepLease(owner).catch((error: unknown) => opts.report?.('warn', 'sweep lease not released: it expires at the deadline', { error: String(error) }));
  }
}

/** One sweep under the lease. */
export function sweep(deps: SweepDeps): Promise<LeasedSweep<SweepReport>> {
  return withSweepLease(deps.sweepStore, deps, () => sweepPass(deps));
}

/** The sweep's work, without the lease: events, then sessions (see the top of this file). */
export async function sweepPass(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.now ?? Date.now;
  const startedAt = Math.floor(now() / 1000);
  const report: SweepReport = { sessions: 0, outcomes: {}, events: { listed: 0, outcomes: {} } };
  const timeIsUp = () => now() > deps.deadline - SWEEP_DEADLINE_MARGIN_MS;
  const cursor = (await deps.sweepStore.sweepCursor()) ?? {};

  // Events first: a refund noted before its payment is then applied by the session's reconcile,
  // instead of a link being mailed and revoked a moment later.
  const eventsSince = await recoverEvents(deps, cursor, startedAt, report, timeIsUp);
  const resume = await sweepSessions(deps, cursor, startedAt, report, timeIsUp);
  if (resume) report.unfinished = true;
  await deps.sweepStore.saveSweepCursor({ ...(eventsSince !== undefined ? { eventsSince } : {}), ...(resume ? { resume } : {}) });
  return report;
}

/** Returns where the next sweep lists events from. */
async function recoverEvents(
  deps: SweepDeps,
  cursor: SweepCursor,
  startedAt: number,
  report: SweepReport,
  timeIsUp: () => boolean,
): Promise<number | undefined> {
  const since = Math.max(cursor.eventsSince ?? 0, startedAt - SWEEP_LOOKBACK_SECONDS);
  // An event still in progress elsewhere, or one that failed, keeps the cursor at it: it is
  // listed again next time, until it is done.
  let oldestUnfinished: number | undefined;
  const tally = (outcome: RecoveredOutcome | 'error' | 'malformed') => (report.events.outcomes[outcome] = (report.events.outcomes[outcome] ?? 0) + 1);
  for await (const event of deps.source.listEvents({ types: SWEPT_EVENT_TYPES, sinceSeconds: since })) {
    // Newest first: stopping here leaves older events unseen, so the cursor stays where it was.
    if (timeIsUp()) return cursor.eventsSince;
    report.events.listed++;
    if (!isStripeEvent(event)) {
      tally('malformed');
      continue;
    }
    let outcome: RecoveredOutcome | 'error';
    try {
      outcome = await deps.handleEvent(event);
    } catch (error) {
      deps.report('error', 'sweeper could not handle a Stripe event', { eventId: event.id, type: event.type, error: String(error) });
      outcome = 'error';
    }
    tally(outcome);
    if (outcome === 'in_progress' || outcome === 'error') oldestUnfinished = Math.min(oldestUnfinished ?? event.created, event.created);
  }
  return oldestUnfinished ?? startedAt - SWEEP_EVENT_OVERLAP_SECONDS;
}

/** Returns where the next sweep resumes, or undefined when the pass is complete. */
async function sweepSessions(
  deps: SweepDeps,
  cursor: SweepCursor,
  startedAt: number,
  report: SweepReport,
  timeIsUp: () => boolean,
): Promise<SweepCursor['resume']> {
  const since = startedAt - SWEEP_LOOKBACK_SECONDS;
  const link = deps.paymentMode === 'payment-link' && deps.expected.paymentLinkId ? { paymentLinkId: deps.expected.paymentLinkId } : {};
  const pages = (opts: { sinceSeconds: number; startingAfter?: string }) => deps.source.completedSessionPages({ ...link, ...opts });
  const previous = cursor.resume;
  if (previous) {
    // What arrived since the unfinished pass began, then the rest of that pass.
    const head = await walkPages(pages({ sinceSeconds: Math.max(since, previous.passStartedAt - SWEEP_EVENT_OVERLAP_SECONDS) }), deps, report, timeIsUp);
    if (!head.finished) return previous;
    const tail = await walkPages(pages({ sinceSeconds: since, startingAfter: previous.after }), deps, report, timeIsUp);
    if (tail.failedToStart) return undefined;
    return tail.finished ? undefined : { after: tail.lastId ?? previous.after, passStartedAt: startedAt };
  }
  const pass = await walkPages(pages({ sinceSeconds: since }), deps, report, timeIsUp);
  if (pass.finished || !pass.lastId) return undefined;
  return { after: pass.lastId, passStartedAt: startedAt };
}

interface Walk {
  finished: boolean;
  /** The last session of the last page done. */
  lastId?: string;
  /** The listing itself was refused (a resume cursor Stripe no longer knows): start afresh next time. */
  failedToStart?: boolean;
}

async function walkPages(pages: AsyncIterable<readonly SessionFacts[]>, deps: SweepDeps, report: SweepReport, timeIsUp: () => boolean): Promise<Walk> {
  const iterator = pages[Symbol.asyncIterator]();
  let lastId: string | undefined;
  let next = iterator.next();
  for (let first = true; ; first = false) {
    let page: IteratorResult<readonly SessionFacts[]>;
    try {
      page = await next;
    } catch (error) {
      if (!first) throw error;
      deps.report('warn', 'sweeper could not list sessions from its cursor: the next sweep starts a fresh pass', { error: String(error) });
      return { finished: false, failedToStart: true };
    }
    if (page.done) return { finished: true, ...(lastId ? { lastId } : {}) };
    if (timeIsUp()) return { finished: false, ...(lastId ? { lastId } : {}) };
    // Stripe answers the next page while this one is reconciled.
    next = iterator.next();
    next.catch(() => undefined);
    await sweepPage(page.value, deps, report);
    lastId = page.value.at(-1)?.id ?? lastId;
  }
}

async function sweepPage(sessions: readonly SessionFacts[], deps: SweepDeps, report: SweepReport): Promise<void> {
  const tally = (outcome: SessionOutcome) => (report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1);
  report.sessions += sessions.length;
  const ours: { session: SessionFacts; orderId: OrderId }[] = [];
  for (const session of sessions) {
    const orderId = parseOrderId(session.client_reference_id);
    // Not an uplock order (another product on the same Stripe account, in checkout-session mode
    // where the list cannot be narrowed to our link): no warning, no mismatch metric.
    if (orderId) ours.push({ session, orderId });
    else tally('not_ours');
  }
  if (!ours.length) return;
  const orders = await deps.sweepStore.ordersForSweep([...new Set(ours.map((s) => s.orderId))]);
  // A paid session for an order another session paid: settled once its refund was made and mailed.
  const duplicates = ours.filter(({ session, orderId }) => {
    const order = orders.get(orderId);
    return order?.sessionId !== undefined && order.sessionId !== session.id && paymentStateOf(session) === 'paid';
  });
  const refunded = duplicates.length ? await deps.sweepStore.markersForSweep(duplicates.map(({ session }) => duplicateMailKey(session.id))) : new Set<string>();

  const work = ours.filter(({ session, orderId }) => {
    const order = orders.get(orderId);
    const done = order !== undefined && (sessionSettled(order, session) || refunded.has(duplicateMailKey(session.id)));
    if (done) tally('settled');
    return !done;
  });
  await forEachLimited(work, deps.concurrency ?? SWEEP_CONCURRENCY, async ({ session }) => {
    let outcome: SessionOutcome;
    try {
      outcome = await reconcileSession(session, deps);
    } catch (error) {
      // One bad session must not stop the sweep; the next run tries it again.
      deps.report('error', 'sweeper could not reconcile a session', { sessionId: session.id, error: String(error) });
      outcome = 'error';
    }
    tally(outcome);
  });
}

/** Run `fn` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
