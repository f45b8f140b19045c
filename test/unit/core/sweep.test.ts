import { describe, expect, it } from 'vitest';
import type { SessionFacts } from '../../../lambdas/core/payment';
import type { EventDeps } from '../../../lambdas/core/stripe-events';
import { sweep } from '../../../lambdas/core/sweep';
import { paidSession } from '../fixtures';

const session = (ref: string | null): SessionFacts => paidSession({ id: `cs_test_${ref ?? 'none'}`, client_reference_id: ref });

describe('sweep', () => {
  it('skips sessions that carry no order id without warning, and reconciles the rest', async () => {
    // Prepare: a store that knows no orders, and a report that records warnings
    const reports: string[] = [];
    const listed: unknown[] = [];
    const deps = {
      store: { getOrder: async () => undefined },
      report: (_level: string, message: string) => reports.push(message),
      count: () => undefined,
      paymentMode: 'payment-link',
      expected: { amount: 900, currency: 'usd', livemode: false, paymentLinkId: 'plink_1' },
      source: {
        async *listCompletedSessions(opts: unknown) {
          listed.push(opts);
          yield session(null);
          yield session('not-an-order');
          yield session('3b241101-e2bb-4255-8caf-4136c566a962');
        },
      },
    } as unknown as EventDeps & { source: { listCompletedSessions(o: unknown): AsyncIterable<SessionFacts> } };

    // Act
    const report = await sweep(deps, 1_000_000);

    // Assess
    expect(listed).toEqual([{ paymentLinkId: 'plink_1', sinceSeconds: 1_000_000 - 4 * 24 * 3600 }]);
    expect(report).toEqual({ sessions: 3, outcomes: { not_ours: 2, unknown_order: 1 } });
    expect(reports).toEqual(['checkout session for an unknown order']);
  });
});
