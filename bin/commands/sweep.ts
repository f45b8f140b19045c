/** `uplock sweep`: run the reconciliation sweeper once, now, as its schedule would (under the same lease). */
import type { Command } from 'commander';
import { fields, runAction } from '../cli-kit';
import { connect } from '../target';

export function register(program: Command): void {
  program
    .command('sweep')
    .description('fulfil paid Stripe sessions and apply refunds and disputes the webhook missed (what the scheduled sweeper does every 15 minutes), now')
    .addHelpText(
      'after',
      `
Handles the refund, dispute and failed-payment events since the last sweep, then looks at the
completed Checkout Sessions of the last 4 days and runs each one not yet settled through the
webhook's own handling. Running it twice changes nothing. If the scheduled sweeper is running
right now, this does nothing and says so (one sweep at a time).

Examples:
  npx uplock sweep
  npx uplock --stack Uplock sweep --json`,
    )
    .action(
      runAction(async (ctx) => {
        await connect(ctx.options);
        const [{ eventDeps }, { payments }, { sweepStore }, { eventPersistence, recoverStripeEvents }, { SWEEP_BUDGET_MS, sweep }] = await Promise.all([
          import('../../lambdas/adapters/event-deps'),
          import('../../lambdas/adapters/stripe-payments'),
          import('../../lambdas/adapters/dynamo-sweep-store'),
          import('../../lambdas/adapters/stripe-event-idempotency'),
          import('../../lambdas/core/sweep'),
        ]);
        const handling = {
          ...eventDeps(),
          // Findings go to the operator (stderr), not to the functions' log format on stdout.
          report: (level: string, message: string, detail?: Record<string, unknown>) => ctx.note(`${level}: ${message} ${JSON.stringify(detail ?? {})}`),
        };
        const recover = recoverStripeEvents(handling, eventPersistence());
        const deadline = Date.now() + SWEEP_BUDGET_MS;
        const report = await sweep({ ...handling, sweepStore: sweepStore(), source: payments(), deadline, handleEvent: (event) => recover(event, deadline) });
        if ('skipped' in report) {
          ctx.note(`another sweep holds the lease${report.heldUntil ? ` until ${new Date(report.heldUntil).toISOString()}` : ''}: nothing done`);
          return { json: report, text: fields([['skipped', 'lease held by another sweep']]) };
        }
        const outcomes = Object.entries(report.outcomes).map(([k, v]) => [k, v] as [string, number]);
        const events = Object.entries(report.events.outcomes).map(([k, v]) => [`event ${k}`, v] as [string, number]);
        return { json: report, text: fields([['sessions', report.sessions], ...outcomes, ['events', report.events.listed], ...events, ...(report.unfinished ? ([['unfinished', 'yes: the next sweep continues']] as [string, string][]) : [])]) };
      }),
    );
}
