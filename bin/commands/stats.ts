/** `uplock stats` and `uplock export --csv`: figures and accounting rows from the orders. */
import type { Command } from 'commander';
import { CliError, fields, parseSince, runAction } from '../cli-kit';
import { allOrders } from './order-source';

/** 850 ms, 12.3 s, 4.5 min, 2.1 h; "n/a" when no order had both times. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return 'n/a';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function register(program: Command): void {
  program
    .command('stats')
    .description('orders, previews, paid, conversion, revenue per currency, refunds, disputes, failed jobs, median upload → preview and pay → email times')
    .option('--since <when>', '30m, 24h, 7d or an ISO date', '30d')
    .addHelpText('after', `
Smoke-test orders (uplock smoke) are left out. Medians are over the orders that have both times.

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
            ['median upload → preview', duration(stats.medianUploadToPreviewMs)],
            ['median pay → email', duration(stats.medianPayToEmailMs)],
          ]),
        };
      }),
    );
  program
    .command('export')
    .description('orders as CSV for accounting (amounts in minor units; smoke-test orders left out)')
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
