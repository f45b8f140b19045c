/**
 * The reconciliation sweeper: lists recent completed sessions and runs each through the same
 * reconcileSession the webhook uses. It fulfils payments whose webhook never arrived, retries
 * deliveries whose claim expired after a crash, and refunds what must be refunded. Running it
 * twice changes nothing: every step it takes is idempotent.
 */
import { parseOrderId } from './ids';
import type { SessionFacts } from './payment';
import { reconcileSession, type EventDeps, type EventOutcome } from './stripe-events';

/** Stripe retries webhooks for three days; look back a little further. */
export const SWEEP_LOOKBACK_SECONDS = 4 * 24 * 3600;

export interface SweepSource {
  listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts>;
}

export interface SweepReport {
  sessions: number;
  outcomes: Partial<Record<EventOutcome | 'error' | 'not_ours', number>>;
}

export async function sweep(deps: EventDeps & { source: SweepSource }, nowSeconds = Math.floor(Date.now() / 1000)): Promise<SweepReport> {
  const report: SweepReport = { sessions: 0, outcomes: {} };
  const sessions = deps.source.listCompletedSessions({
    ...(deps.paymentMode === 'payment-link' && deps.expected.paymentLinkId ? { paymentLinkId: deps.expected.paymentLinkId } : {}),
    sinceSeconds: nowSeconds - SWEEP_LOOKBACK_SECONDS,
  });
  for await (const session of sessions) {
    report.sessions++;
    let outcome: EventOutcome | 'error' | 'not_ours';
    if (!parseOrderId(session.client_reference_id)) {
      // Not an uplock order (another product on the same Stripe account, in checkout-session
      // mode where the list cannot be narrowed to our link): no warning, no mismatch metric.
      report.outcomes.not_ours = (report.outcomes.not_ours ?? 0) + 1;
      continue;
    }
    try {
      outcome = await reconcileSession(session, deps);
    } catch (error) {
      // One bad session must not stop the sweep; the next run tries it again.
      deps.report('error', 'sweeper could not reconcile a session', { sessionId: session.id, error: String(error) });
      outcome = 'error';
    }
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
  }
  return report;
}
