/** `uplock orders list|show`: the shop's orders, through the functions' own store adapter. */
import type { Command } from 'commander';
import { ORDER_STATUS_FILTERS, type OrderStatusFilter } from '../../lambdas/contract';
import { CliError, fields, parseSince, positiveInt, runAction, table } from '../cli-kit';
import { registerOrderActions } from './order-actions';
import { allOrders, readStore } from './order-source';

export function register(program: Command): void {
  const orders = program
    .command('orders')
    .description('look up the shop\'s orders and act on one: resend, refund, extend, rerun, delete')
    .addHelpText('after', `
Each command has its own --help. Commands that change something take --dry-run.

Examples:
  npx uplock orders list --status paid --since 7d
  npx uplock orders show 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b
  npx uplock orders refund 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --dry-run`);
  orders
    .command('list')
    .description('orders, newest first')
    .option('--status <state>', `a job or payment state, or delivered (${ORDER_STATUS_FILTERS.join(' ')})`)
    .option('--email <address>', 'orders of one address')
    .option('--since <when>', 'created since 30m, 24h, 7d or an ISO date')
    .option('--limit <n>', 'at most this many', '50')
    .addHelpText('after', `
Examples:
  npx uplock orders list --status paid --since 7d
  npx uplock orders list --email buyer@example.com --json`)
    .action(
      runAction(async (ctx) => {
        const status = ctx.options.status as string | undefined;
        if (status !== undefined && !(ORDER_STATUS_FILTERS as readonly string[]).includes(status)) {
          throw new CliError('invalid_option', `--status takes one of ${ORDER_STATUS_FILTERS.join(', ')}; got "${status}"`, 2);
        }
        const since = parseSince(ctx.options.since);
        const limit = positiveInt('--limit', ctx.options.limit) ?? 50;
        const { listOrders } = await import('../../lambdas/core/operations');
        const rows = listOrders(await allOrders(ctx.options), {
          ...(status ? { status: status as OrderStatusFilter } : {}),
          ...(typeof ctx.options.email === 'string' ? { email: ctx.options.email } : {}),
          ...(since ? { since } : {}),
        }, limit);
        return {
          json: rows,
          text: table(['order', 'created', 'email', 'job', 'payment', 'delivered'], rows.map((r) => [r.orderId, r.createdAt, r.email, r.job, r.payment, r.delivered ? 'yes' : 'no'])),
        };
      }),
    );
  orders
    .command('show')
    .description('one order and its timeline')
    .argument('<orderId>', 'the order number')
    .addHelpText('after', `
Examples:
  npx uplock orders show 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b
  npx uplock orders show 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --json`)
    .action(
      runAction(async (ctx, args) => {
        const [{ parseOrderId }, { existingOrder, orderDetail }] = await Promise.all([import('../../lambdas/core/ids'), import('../../lambdas/core/operations')]);
        const orderId = parseOrderId(args[0]);
        if (!orderId) throw new CliError('invalid_order_id', `"${String(args[0])}" is not an order number (a UUID).`, 2);
        const store = await readStore(ctx.options);
        // An erased order is named as such (its tombstone), not as unknown.
        const order = await existingOrder(orderId, store);
        const detail = orderDetail(order);
        return {
          json: detail,
          text: [
            fields([
              ['order', detail.orderId],
              ['email', detail.email],
              ['file', `${detail.fileName} (${detail.size} bytes)`],
              ['job', detail.job + (detail.jobError ? ` (${detail.jobError.code}: ${detail.jobError.message})` : '')],
              ['payment', detail.payment + (detail.amount !== undefined ? ` ${detail.amount} ${detail.currency ?? ''}` : '')],
              ['session', detail.sessionId],
              ['delivered', detail.delivered ? 'yes' : 'no'],
            ]),
            '',
            table(['at', 'event', 'detail'], detail.timeline.map((e) => [e.at, e.kind, e.detail ? JSON.stringify(e.detail) : ''])),
          ].join('\n'),
        };
      }),
    );
  registerOrderActions(orders);
}
