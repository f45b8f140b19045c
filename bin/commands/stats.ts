/** `uplock stats` and `uplock export --csv`: figures and accounting rows from the orders. */
import type { Command } from 'commander';
import { CliError, fields, parseSince, runAction } from '../cli-kit';
import { allOrders } from './order-source';

export function register(program: Command): void {
  program
    .command('stats')
    .description('orders, previews, paid, conversion, revenue per currency, refunds, disputes, failed jobs')
    .option('--since <when>', '30m, 24h, 7d or an ISO date', '30d')
    .addHelpText('after', `
Examples:
  npx uplock stats
  npx uplock stats --since 7d --json`)
    .action(
      runAction(async (ctx) => {
        const since = parseSince(ctx.options.since) ?? new Date(0);
        const { shopStats } = await import('../../lambdas/core/operations');
        const stats = shopStats(await allOrders(ctx.options), since);
        return {
          json: stats,
          text: fields([
            ['since', stats.since],
            ['orders', stats.orders],
            ['previews', stats.previews],
            ['paid', stats.paid],
            ['conversion', `${(stats.conversion * 100).toFixed(1)}%`],
            ['revenue', Object.entries(stats.revenue).map(([c, a]) => `${a} ${c}`).join(', ') || '0'],
            ['refunds', stats.refunds],
            ['disputes', stats.disputes],
            ['failed jobs', stats.failedJobs],
          ]),
        };
      }),
    );
  program
    .command('export')
    .description('orders as CSV for accounting (amounts in minor units)')
    .option('--csv', 'CSV on stdout (the only format)')
    .option('--since <when>', '30m, 24h, 7d or an ISO date')
    .addHelpText('after', `
Examples:
  npx uplock export --csv > orders.csv
  npx uplock export --csv --since 2026-01-01`)
    .action(
      runAction(async (ctx) => {
        if (ctx.options.csv !== true) throw new CliError('missing_option', 'export needs --csv (the only format).', 2);
        const since = parseSince(ctx.options.since);
        const { exportCsv } = await import('../../lambdas/core/operations');
        const csv = exportCsv(await allOrders(ctx.options), since);
        // CSV is the result even with --json: a spreadsheet, not a JSON consumer, reads it.
        ctx.io.stdout.write(csv);
        return undefined;
      }),
    );
}
