/** `uplock sweep`: run the reconciliation sweeper once, now, as its schedule would. */
import type { Command } from 'commander';
import { fields, runAction } from '../cli-kit';
import { connect } from '../target';

export function register(program: Command): void {
  program
    .command('sweep')
    .description('fulfil paid Stripe sessions the webhook missed (what the scheduled sweeper does every 15 minutes), now')
    .addHelpText(
      'after',
      `
Looks at the completed Checkout Sessions of the last 4 days and runs each through the webhook's own
handling. Running it twice changes nothing.

Examples:
  npx uplock sweep
  npx uplock --stack Uplock sweep --json`,
    )
    .action(
      runAction(async (ctx) => {
        await connect(ctx.options);
        const [{ eventDeps }, { payments }, { sweep }] = await Promise.all([
          import('../../lambdas/adapters/event-deps'),
          import('../../lambdas/adapters/stripe-payments'),
          import('../../lambdas/core/sweep'),
        ]);
        const report = await sweep({
          ...eventDeps(),
          source: payments(),
          // Findings go to the operator (stderr), not to the functions' log format on stdout.
          report: (level, message, detail) => ctx.note(`${level}: ${message} ${JSON.stringify(detail ?? {})}`),
        });
        const outcomes = Object.entries(report.outcomes).map(([k, v]) => [k, v] as [string, number]);
        return { json: report, text: fields([['sessions', report.sessions], ...outcomes]) };
      }),
    );
}
