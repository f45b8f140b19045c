/** `uplock broadcast`: one email to every matching buyer, resumable by its id (core/broadcast.ts). */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, ORDER_STATUS_FILTERS, type OrderStatusFilter } from '../../lambdas/contract';
import type { RerunResult } from '../../lambdas/core/broadcast';
import type { OrderId } from '../../lambdas/core/ids';
import { CliError, fields, parseSince, runAction, type CommandContext } from '../cli-kit';
import { connect } from '../target';
import { rerunDeps } from './order-actions';
import { allOrders } from './order-source';

const BROADCAST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** SES refuses a message past 40 MB; a broadcast's text is a few KB. */
const MAX_BODY_BYTES = 100_000;

async function readBody(file: unknown): Promise<string> {
  if (typeof file !== 'string') throw new CliError('missing_option', 'broadcast needs --body-file F (the email\'s text, UTF-8).', EXIT.usage);
  let body: string;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength > MAX_BODY_BYTES) throw new CliError('invalid_option', `--body-file ${file} is ${bytes.byteLength} bytes; a broadcast's text is at most ${MAX_BODY_BYTES}.`, EXIT.usage);
    body = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('invalid_option', `Cannot read --body-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
  }
  if (body.trim() === '') throw new CliError('invalid_option', `--body-file ${file} is empty.`, EXIT.usage);
  return body;
}

export function register(program: Command): void {
  program
    .command('broadcast')
    .description('email every matching buyer once, with fresh download links and an unsubscribe link')
    .requiredOption('--id <name>', 'this broadcast\'s name: running it again with the same id sends nobody a second email')
    .requiredOption('--subject <text>', 'the subject line')
    .option('--body-file <file>', 'the email\'s text (UTF-8; blank lines separate paragraphs)')
    .option('--status <state>', `only buyers with an order in this state (${ORDER_STATUS_FILTERS.join(' ')})`)
    .option('--since <when>', 'only orders created since 30m, 24h, 7d or an ISO date')
    .option('--rerun', "run each matching paid order's job again with today's processor before its email (as orders rerun)")
    .option('--dry-run', 'count who would get it (and which orders would run again); send and run nothing')
    .option('--yes', 'do not ask for confirmation (required off a terminal)')
    .addHelpText('after', `
Each buyer (one address, however many orders) gets one email: your text, a fresh download link for
each of their paid orders, and an unsubscribe link (also as List-Unsubscribe headers). Buyers who
unsubscribed are skipped. Emails go out at half the SES account's sending rate; at the daily quota
the run stops cleanly: run the same command again tomorrow. Interrupted for any reason, the same
command with the same --id continues where it stopped (a kill between an email and its record
sends that one email again).

With --rerun, each matching paid order runs again first, exactly as \`orders rerun\` (here, with the
processor of this checkout, as a new revision of its result), and the email's link serves the new
result; the buyer gets no separate "updated" email. A rerun that fails keeps the order's old result,
and the email links to that. Resumed with the same --id, a run never runs an order twice.

Examples:
  npx uplock broadcast --id 2026-02-new-report --subject "A better report" --body-file note.txt --status paid --dry-run
  npx uplock --stack Uplock broadcast --id 2026-02-new-report --subject "A better report" --body-file note.txt --status paid --yes
  npx uplock broadcast --id 2026-03-rerun --subject "Your report, redone" --body-file note.txt --status paid --rerun --yes`)
    .action(
      runAction(async (ctx) => {
        const o = ctx.options;
        const id = String(o.id);
        if (!BROADCAST_ID.test(id)) throw new CliError('invalid_option', `--id takes letters, digits, ".", "_" and "-" (at most 64), got "${id}"`, EXIT.usage);
        const subject = String(o.subject).trim();
        if (!subject || subject.length > 200 || /[\r\n]/.test(subject)) throw new CliError('invalid_option', '--subject must be one line of at most 200 characters.', EXIT.usage);
        const status = o.status as string | undefined;
        if (status !== undefined && !(ORDER_STATUS_FILTERS as readonly string[]).includes(status)) {
          throw new CliError('invalid_option', `--status takes one of ${ORDER_STATUS_FILTERS.join(', ')}; got "${status}"`, EXIT.usage);
        }
        const since = parseSince(o.since);
        const body = await readBody(o.bodyFile);
        const dryRun = o.dryRun === true;
        const rerun = o.rerun === true;

        const target = await connect(o);
        const orders = await allOrders(o);
        const [core, { broadcastStore }, { mailer }, quota, { tokenKey }] = await Promise.all([
          import('../../lambdas/core/broadcast'),
          import('../../lambdas/adapters/dynamo-broadcast-store'),
          import('../../lambdas/adapters/ses-mailer'),
          import('../../lambdas/adapters/ses-quota'),
          import('../../lambdas/adapters/token-key'),
        ]);
        const filter = { ...(status ? { status: status as OrderStatusFilter } : {}), ...(since ? { since } : {}) };
        const recipients = core.broadcastRecipients(orders, filter).length;
        if (!dryRun) await ctx.confirm(`Send "${subject}" to ${recipients} buyer(s) of ${target.name} (broadcast ${id})${rerun ? ', running their paid orders again first' : ''}?`);
        const rerunner = rerun ? await rerunDeps(ctx, target) : undefined;
        const bar = ctx.progress(recipients, dryRun ? 'checking' : 'sending');
        const { config } = target;
        let report;
        try {
          report = await core.runBroadcast(orders, { id, subject, body, filter, dryRun, rerun }, {
            store: broadcastStore(),
            mailer: mailer(),
            sendQuota: () =>
              quota.sendQuota(config).catch((error: unknown) => {
                throw new CliError('ses_unavailable', `Could not read the SES sending quota (GetAccount): ${(error as Error).name}: ${(error as Error).message}. Nothing was sent; run the same command again later.`);
              }),
            isQuotaRefusal: quota.isDailyQuotaRefusal,
            key: tokenKey(config),
            settings: { siteUrl: config.siteUrl, productName: config.product.name, downloadLimit: config.downloadLimit, linkTtlHours: config.linkTtlHours },
            progress: () => bar.tick(),
            ...(rerunner ? { rerun: (order) => rerunBeforeEmail(order.orderId, rerunner, ctx) } : {}),
          });
        } catch (error) {
          if (error instanceof core.BroadcastError) throw new CliError(error.code, error.message);
          throw error;
        } finally {
          bar.done();
        }
        if (report.stoppedAtQuota) {
          // Said even with --json: whoever runs it (cron too) must learn that it is not finished.
          ctx.io.stderr.write(`The SES daily sending quota is used up: ${report.sent} sent now. Run the same command again tomorrow to send the rest.\n`);
        }
        return {
          json: report,
          text: fields([
            ['broadcast', report.id],
            ['buyers', report.matched],
            [dryRun ? 'would send' : 'sent', report.sent],
            ['sent before', report.alreadySent],
            ['unsubscribed', report.unsubscribed],
            ['stopped at quota', report.stoppedAtQuota ? 'yes: run again tomorrow' : 'no'],
            ...(report.rerun
              ? ([
                  [dryRun ? 'would run again' : 'ran again', report.rerun.ran],
                  ['reruns failed (old result kept)', report.rerun.failed],
                  ['ran again before', report.rerun.before],
                ] as [string, number][])
              : []),
          ]),
        };
      }),
    );
}

/** One order's rerun for the broadcast: the use case of `orders rerun`, without its own email. */
async function rerunBeforeEmail(orderId: OrderId, rerunner: Awaited<ReturnType<typeof rerunDeps>>, ctx: CommandContext): Promise<RerunResult> {
  try {
    const done = await rerunner.operations.rerunOrder(orderId, { ...rerunner.deps, notify: false });
    ctx.note(`order ${orderId}: now serves revision ${done.revision}`);
    return { ok: true };
  } catch (error) {
    if (error instanceof rerunner.operations.OperationRefused) {
      ctx.note(`order ${orderId}: not run again (${error.code}): ${error.message}`);
      return { ok: false, code: error.code, message: error.message };
    }
    throw error;
  }
}
