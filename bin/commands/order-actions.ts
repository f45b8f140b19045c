/**
 * `uplock orders resend|refund|extend|rerun|delete`: the operator's actions on one order (or, for
 * delete, on every order of an address). Each parses, calls its use case in
 * lambdas/core/operations.ts or lambdas/core/erase.ts through the functions' own adapters, and
 * prints; docs/operations.md describes them.
 */
import type { Command } from 'commander';
import type { ErasedOrder } from '../../lambdas/contract';
import type { OrderId } from '../../lambdas/core/ids';
import { CliError, fields, positiveInt, runAction, table, type CommandContext } from '../cli-kit';
import { connect, type Target } from '../target';
import { allOrders } from './order-source';

async function orderIdArg(raw: unknown): Promise<OrderId> {
  const { parseOrderId } = await import('../../lambdas/core/ids');
  const orderId = parseOrderId(raw);
  if (!orderId) throw new CliError('invalid_order_id', `"${String(raw)}" is not an order number (a UUID).`, 2);
  return orderId;
}

/** The functions' adapters on the target: the same store, bucket, mailer and Stripe client. */
async function adapters(ctx: CommandContext, connected?: Target): Promise<{ target: Target } & Awaited<ReturnType<typeof loadAdapters>>> {
  const target = connected ?? (await connect(ctx.options));
  return { target, ...(await loadAdapters()) };
}

async function loadAdapters() {
  const [{ orderStore }, { blobStore }, { mailer }, { deliverySettings }, { loadConfig }, operations] = await Promise.all([
    import('../../lambdas/adapters/dynamo-order-store'),
    import('../../lambdas/adapters/s3-blob-store'),
    import('../../lambdas/adapters/ses-mailer'),
    import('../../lambdas/adapters/settings'),
    import('../../lambdas/config'),
    import('../../lambdas/core/operations'),
  ]);
  const config = loadConfig();
  return { store: orderStore(), blobs: blobStore(), mailer: mailer(), config, settings: deliverySettings(config), operations };
}

const RESULT_WAIT_MS = 30_000;

/**
 * What `rerunOrder` needs on the target: the functions' adapters and the processor of this
 * checkout, run here (`orders rerun`, `broadcast --rerun`).
 */
export async function rerunDeps(ctx: CommandContext, connected?: Target) {
  const { store, blobs, mailer, settings, config, operations } = await adapters(ctx, connected);
  const [{ configuredProcessor }, { jobClaimSettings }] = await Promise.all([import('../../lambdas/handlers/process-job'), import('../../lambdas/adapters/settings')]);
  const processor = configuredProcessor();
  const deps = {
    store,
    blobs,
    mailer,
    processor,
    settings: {
      ...settings,
      maxUploadBytes: config.maxUploadBytes,
      acceptedExtensions: config.acceptedExtensions.filter((e) => processor.acceptedExtensions.includes(e)),
      retentionDays: config.retentionDays,
      // The same claim length as a run of the job: a rerun is one (config `job.claimSeconds`).
      ...jobClaimSettings(config),
    },
  };
  return { deps, operations, processor };
}

export function registerOrderActions(orders: Command): void {
  orders
    .command('resend')
    .description('email a fresh download link, under the same rules as the buyer\'s "Lost your link?"')
    .argument('<orderId>', 'the order number')
    .option('--dry-run', 'check and say where the link would go; send nothing')
    .addHelpText('after', `
Sends the lookup email with a new link (the shop's download limit and lifetime) to the address
that paid. Refused (exit 1, with the reason) for an order that is not paid, refunded, disputed
or has no result.

Examples:
  npx uplock orders resend 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b
  npx uplock orders resend 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --dry-run
  npx uplock --stack Uplock orders resend 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --json`)
    .action(
      runAction(async (ctx, args) => {
        const orderId = await orderIdArg(args[0]);
        const { store, mailer, settings, operations } = await adapters(ctx);
        const dryRun = ctx.options.dryRun === true;
        const sent = await operations.resendOrder(orderId, { store, mailer, settings, dryRun });
        return {
          json: sent,
          text: dryRun ? `Would email a fresh download link for ${orderId} to ${sent.to}. Nothing sent (--dry-run).` : `Emailed a fresh download link for ${orderId} to ${sent.to}.`,
        };
      }),
    );

  orders
    .command('refund')
    .description('refund a paid order in full through Stripe; the refund event revokes its links and emails the buyer')
    .argument('<orderId>', 'the order number')
    .option('--reason <text>', 'why (kept in the refund\'s metadata at Stripe)')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--dry-run', 'check and say what would happen; refund nothing')
    .addHelpText('after', `
The refund carries an idempotency key derived from the order: running the command again (or
after a crash) is answered with the same refund, never a second one. Stripe then sends
charge.refunded, which revokes the order's links and emails the buyer, as for a refund made in
the Stripe Dashboard; the command waits up to 30 s to report that.
Refused (exit 1) for an order that is not paid, is disputed or was erased.

Examples:
  npx uplock orders refund 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --reason "wrong file"
  npx uplock orders refund 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --yes --json`)
    .action(
      runAction(async (ctx, args) => {
        const orderId = await orderIdArg(args[0]);
        const reason = typeof ctx.options.reason === 'string' ? ctx.options.reason : undefined;
        const { store, operations } = await adapters(ctx);
        const { payments } = await import('../../lambdas/adapters/stripe-payments');
        const order = await operations.existingOrder(orderId, store);
        const checked = await operations.refundOrderPayment(orderId, reason, { store, payments: payments(), dryRun: true });
        if (checked.outcome === 'already_refunded') {
          return { json: checked, text: `Order ${orderId} is already refunded: nothing done.` };
        }
        const what = `${order.amount ?? '?'} ${order.currency ?? ''}`.trim();
        if (ctx.options.dryRun === true) {
          return { json: { ...checked, dryRun: true }, text: `Would refund ${what} of order ${orderId} (payment ${order.paymentIntentId}). Nothing done (--dry-run).` };
        }
        await ctx.confirm(`Refund ${what} of order ${orderId} to the buyer (${order.payerEmail ?? order.email})?`);
        const refund = await operations.refundOrderPayment(orderId, reason, { store, payments: payments() });
        ctx.note(`Refund ${refund.refundId} ${refund.status}; waiting for Stripe's refund event…`);
        const deadline = Date.now() + RESULT_WAIT_MS;
        let after = await store.getOrder(orderId);
        while (after?.payment !== 'refunded' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          after = await store.getOrder(orderId);
        }
        const revoked = after?.payment === 'refunded';
        return {
          json: { ...refund, revoked },
          text: revoked
            ? `Refunded ${what} of order ${orderId} (${refund.refundId}); its links are revoked and the buyer is emailed.`
            : `Refund ${refund.refundId} requested (${refund.status}); the refund event has not reached the shop yet: check again with \`uplock orders show ${orderId}\`.`,
        };
      }),
    );

  orders
    .command('extend')
    .description('add downloads and days to the order\'s links that are not revoked')
    .argument('<orderId>', 'the order number')
    .option('--downloads <n>', 'downloads to add to each link')
    .option('--days <d>', 'days to add to each link (from now for a link that has expired)')
    .option('--dry-run', 'print what each link would become; change nothing')
    .addHelpText('after', `
Refused (exit 1) for a refunded or disputed order (its links stay revoked) and for an order
with no links yet.

Examples:
  npx uplock orders extend 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --downloads 5
  npx uplock orders extend 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --downloads 3 --days 14 --json
  npx uplock orders extend 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --days 30 --dry-run`)
    .action(
      runAction(async (ctx, args) => {
        const orderId = await orderIdArg(args[0]);
        const downloads = positiveInt('--downloads', ctx.options.downloads);
        const days = positiveInt('--days', ctx.options.days);
        if (downloads === undefined && days === undefined) throw new CliError('missing_option', 'Give --downloads N, --days D or both.', 2);
        const { store, operations } = await adapters(ctx);
        const dryRun = ctx.options.dryRun === true;
        const result = await operations.extendOrderLinks(orderId, { ...(downloads ? { downloads } : {}), ...(days ? { days } : {}) }, { store, dryRun });
        return {
          json: result,
          text: [
            table(['link', 'downloads left', 'expires'], result.extended.map((l) => [l.link, String(l.downloadsLeft), l.expiresAt])),
            ...(result.revoked ? [`(${result.revoked} revoked link(s) left as they are)`] : []),
            ...(dryRun ? ['Nothing changed (--dry-run): the links would become the above.'] : []),
          ].join('\n'),
        };
      }),
    );

  orders
    .command('rerun')
    .description("run the job again on the stored upload with today's processor, as a new revision of the result")
    .argument('<orderId>', 'the order number')
    .option('--dry-run', 'make every check (order, upload kept, file type, no rerun running) and say what would happen; run nothing')
    .addHelpText('after', `
Runs the processor of this checkout (the built-in data profile, or the job folder the config
names) here, on the upload kept in the bucket. The order's links keep serving the old result
until the new one is complete; a failed rerun keeps the old result and the payment (exit 1,
with the reason). A paid buyer is emailed a fresh link to the new result. Refused once the
upload has expired (uploads are kept for the shop's retention days).

Examples:
  npx uplock orders rerun 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b
  npx uplock orders rerun 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --dry-run
  npx uplock --stack Uplock orders rerun 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b --json`)
    .action(
      runAction(async (ctx, args) => {
        const orderId = await orderIdArg(args[0]);
        const { deps, operations, processor } = await rerunDeps(ctx);
        if (ctx.options.dryRun === true) {
          const plan = await operations.rerunPlan(orderId, deps);
          return {
            json: plan,
            text: `Would run ${plan.processor} on the upload of ${orderId} (${plan.fileName}, ${plan.size} bytes) as revision ${plan.revision}${plan.emailed ? ', then email the buyer a link to it' : ''}. Nothing run (--dry-run).`,
          };
        }
        ctx.note(`Running ${processor.name} on the upload of ${orderId}…`);
        const result = await operations.rerunOrder(orderId, deps);
        return {
          json: result,
          text: `Order ${orderId} now serves revision ${result.revision} (${result.primary})${result.emailed ? '; the buyer is emailed a link to it' : ''}.`,
        };
      }),
    );

  orders
    .command('delete')
    .description("erase a customer's data: upload, results, preview, order, links and address (a tombstone without personal data stays)")
    .argument('[orderId]', 'the order number')
    .option('--email <address>', 'every order placed or paid with this address')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .addHelpText('after', `
Removes the upload, every result revision, the preview, the order item (with the address) and
its download links, and prints what it removed. What stays: a tombstone with the order id, the
payment intent id and the time, so a later refund or dispute from Stripe is recognised; and the
payment at Stripe, which the law requires the seller to keep (docs/operations.md). Deleting an
order that is already erased fails (exit 1, code already_erased).

Examples:
  npx uplock orders delete 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b
  npx uplock orders delete --email buyer@example.com --dry-run
  npx uplock orders delete --email buyer@example.com --yes --json`)
    .action(
      runAction(async (ctx, args) => {
        const email = typeof ctx.options.email === 'string' ? ctx.options.email.trim().toLowerCase() : undefined;
        if ((args[0] === undefined) === (email === undefined)) throw new CliError('usage', 'Give an order number or --email ADDRESS (one of them).', 2);
        const { store, blobs } = await adapters(ctx);
        const erase = await import('../../lambdas/core/erase');
        const deps = { store, blobs };
        let orderIds: OrderId[];
        if (email !== undefined) {
          const { isEmail } = await import('../../lambdas/core/validation');
          if (!isEmail(email)) throw new CliError('invalid_option', `--email needs an email address, got "${email}"`, 2);
          orderIds = (await allOrders(ctx.options)).filter((o) => o.email.toLowerCase() === email || o.payerEmail?.toLowerCase() === email).map((o) => o.orderId);
          if (orderIds.length === 0) throw new CliError('no_orders', `No orders of ${email} (placed or paid with it).`);
        } else {
          orderIds = [await orderIdArg(args[0])];
        }
        const dryRun = ctx.options.dryRun === true;
        const planned: ErasedOrder[] = [];
        for (const orderId of orderIds) {
          const plan = await erase.erasePlan(orderId, deps);
          if (plan.outcome === 'unknown_order') throw new CliError('order_not_found', `No order ${orderId}.`);
          if (plan.outcome === 'already_erased') throw new CliError('already_erased', `Order ${orderId} was already erased on ${plan.tombstone.erasedAt}: nothing left to delete.`);
          if (plan.outcome === 'job_running') throw new CliError('job_running', `The job of order ${orderId} is writing results (until ${plan.until} at the latest): erase it when it has finished.`);
          planned.push(plan.erased);
        }
        if (dryRun) return { json: planned.map((p) => ({ ...p, dryRun: true })), text: `${describe(planned)}\nNothing removed (--dry-run).` };
        await ctx.confirm(`Erase ${orderIds.length === 1 ? `order ${orderIds[0]}` : `${orderIds.length} orders of ${email}`} for good (${planned.reduce((n, p) => n + p.removed.objects.length, 0)} files)?`);
        const done: ErasedOrder[] = [];
        for (const orderId of orderIds) {
          const outcome = await erase.eraseOrder(orderId, deps);
          if (outcome.outcome === 'erased') done.push(outcome.erased);
          else if (outcome.outcome === 'job_running') throw new CliError('job_running', `The job of order ${orderId} started meanwhile; erased so far: ${done.map((d) => d.orderId).join(', ') || 'nothing'}.`);
        }
        return { json: done, text: describe(done) };
      }),
    );
}

function describe(erased: readonly ErasedOrder[]): string {
  return erased
    .map((e) =>
      [
        fields([
          ['order', e.orderId],
          ['order item', e.removed.order ? 'removed (with the address)' : 'none'],
          ['download links', e.removed.tokens],
          ['files', e.removed.objects.length],
          ['tombstone', `${e.tombstone.orderId}${e.tombstone.paymentIntentId ? ` ${e.tombstone.paymentIntentId}` : ''} ${e.tombstone.erasedAt}`],
        ]),
        ...e.removed.objects.map((k) => `  ${k}`),
      ].join('\n'),
    )
    .join('\n\n');
}
