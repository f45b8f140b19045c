/**
 * `uplock broadcast`: one email to every matching buyer, each with fresh download links for their
 * paid orders and an unsubscribe link, paced at half the account's sending rate and stopped at its
 * daily quota.
 *
 * Resumable by its id: each recipient gets a "sent" marker after their email went out, and a run
 * skips every recipient already marked. The marker is written after the send, not before: a run
 * killed between the two sends that one email again on the next run (at worst one repeat per kill),
 * where marking first would lose it for good — an update with fresh links that never arrives is
 * worse than the same update twice. Two runs of one id at the same time are not guarded against
 * beyond that: each may send to the recipient the other is sending to.
 *
 * With `rerun`, each paid order of a recipient runs again (core/operations.ts rerunOrder, as
 * `uplock orders rerun`) before the email with its fresh link. A rerun note per order, written
 * before the rerun with the revision it makes and completed with its outcome, keeps a resumed run
 * from running an order twice: a note with an outcome, or an order already serving that revision
 * (a kill between the switch and the outcome), counts as done. A kill during the rerun leaves
 * neither, and the next run runs it again (the interrupted one wrote no result the order serves).
 * A failed rerun keeps the order's result; its email links to that result.
 *
 * Each email sent is noted on the timeline of every order it was about (`kind: email`, template
 * `broadcast`), after the send and before the marker: an email sent twice after a kill shows twice.
 */
import { createHash } from 'node:crypto';
import type { BroadcastReport, TimelineEntry } from '../contract';
import type { DeliveryToken } from './delivery';
import { type EmailMessage } from './emails';
import type { Fault } from './faults';
import { escapeHtml } from './html';
import { matchesFilter, type OrderFilter } from './operations';
import type { OrderId } from './ids';
import type { Lang, Order } from './order';
import { mintToken } from './tokens';
import { addressId, normalAddress, unsubscribeToken } from './unsubscribe';

export interface BroadcastRequest {
  /** The operator's name for this broadcast: the same id never sends to one address twice. */
  readonly id: string;
  readonly subject: string;
  /** Plain text; blank lines separate paragraphs. */
  readonly body: string;
  readonly filter: OrderFilter;
  readonly dryRun?: boolean;
  /** Run each paid order's job again (today's processor) before its fresh link is mailed. */
  readonly rerun?: boolean;
}

export interface BroadcastStore {
  /** Record the broadcast's fingerprint the first time; returns the fingerprint on record. */
  openBroadcast(id: string, fingerprint: string, at: string): Promise<string>;
  broadcastSent(id: string, addressId: string): Promise<boolean>;
  markBroadcastSent(id: string, addressId: string, at: string): Promise<void>;
  isUnsubscribed(addressId: string): Promise<boolean>;
  /** A new live download token for an order (the lookup route's way). */
  attachToken(token: DeliveryToken): Promise<void>;
  /** This broadcast's rerun note for an order, if any (see the top of this file). */
  rerunNote(id: string, orderId: OrderId): Promise<RerunNote | undefined>;
  noteRerun(id: string, orderId: OrderId, note: RerunNote): Promise<void>;
  /** Append an entry to the order's timeline (`uplock orders show`). */
  recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void>;
}

export interface RerunNote {
  /** The result revision the rerun makes (the order's revision then, plus one). */
  readonly revision: number;
  /** Absent while the rerun runs (or after a kill during it). */
  readonly outcome?: 'ok' | 'failed';
  readonly code?: string;
}

/** How an order's rerun ended: a refusal (`code`) keeps the order's result. */
export type RerunResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

export interface SendQuota {
  /** Per rolling 24 hours; negative: unlimited. */
  readonly max24HourSend: number;
  /** Per second. */
  readonly maxSendRate: number;
  readonly sentLast24Hours: number;
}

export interface BroadcastSettings {
  readonly siteUrl: string;
  readonly productName: string;
  readonly downloadLimit: number;
  readonly linkTtlHours: number;
}

export interface BroadcastDeps {
  readonly store: BroadcastStore;
  readonly mailer: { send(to: string, message: EmailMessage): Promise<void> };
  readonly sendQuota: () => Promise<SendQuota>;
  /** True when a send was refused because the daily quota is used up. */
  readonly isQuotaRefusal: (error: unknown) => boolean;
  /** The key addresses and unsubscribe links are derived with (adapters/token-key.ts). */
  readonly key: () => Promise<Uint8Array>;
  readonly settings: BroadcastSettings;
  /**
   * Runs an order's job again and resolves when its new result is served, or with the refusal
   * (core/operations.ts rerunOrder without its own email). Required for `rerun` requests.
   */
  readonly rerun?: (order: Order) => Promise<RerunResult>;
  readonly progress?: (done: number, total: number) => void;
  readonly fault?: Fault;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A deliberate stop the operator must act on; the report says how far the run got. */
export class BroadcastError extends Error {
  override name = 'BroadcastError';
  constructor(
    readonly code: 'broadcast_id_reused' | 'send_failed' | 'rerun_running',
    message: string,
    readonly report?: BroadcastReport,
  ) {
    super(message);
  }
}

export interface Recipient {
  readonly address: string;
  readonly lang: Lang;
  /** Their matching orders, newest first. */
  readonly orders: readonly Order[];
}

/** Where the order's emails go: the payer's address once paid, else the one given on the page. */
const addressOf = (order: Order): string => normalAddress(order.payerEmail ?? order.email);

/** Matching orders grouped by buyer (smoke-test orders left out), in a stable order. */
export function broadcastRecipients(orders: readonly Order[], filter: OrderFilter): Recipient[] {
  const byAddress = new Map<string, Order[]>();
  for (const order of orders) {
    if (order.smoke || !matchesFilter(order, filter)) continue;
    const address = addressOf(order);
    byAddress.set(address, [...(byAddress.get(address) ?? []), order]);
  }
  return [...byAddress.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([address, list]) => {
      const newestFirst = [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return { address, lang: newestFirst[0]?.lang ?? 'en', orders: newestFirst };
    });
}

/** Orders whose result a fresh link may serve: paid, done, not disputed. */
export const linkable = (order: Order): boolean => order.payment === 'paid' && order.job === 'done' && Boolean(order.primaryArtifact) && !order.disputedAt;

/** What identifies a broadcast's content: the same id with other content is refused. */
export function broadcastFingerprint(request: Pick<BroadcastRequest, 'subject' | 'body' | 'filter' | 'rerun'>): string {
  const { status, email, since } = request.filter;
  return createHash('sha256')
    .update(JSON.stringify([request.subject, request.body, status ?? null, email ?? null, since?.toISOString() ?? null, Boolean(request.rerun)]))
    .digest('hex');
}

const copy = {
  en: {
    links: (n: number, h: number) => `Your downloads (new links: each works ${n} times and for ${Math.round(h / 24)} days):`,
    unsubscribe: 'Unsubscribe from these updates:',
    footer: (p: string) => `You receive this email because you ordered ${p}.`,
  },
  ja: {
    links: (n: number, h: number) => `ダウンロード(新しいリンクです。それぞれ${n}回まで、${Math.round(h / 24)}日間有効です):`,
    unsubscribe: 'このお知らせの配信停止:',
    footer: (p: string) => `${p}をご注文いただいたため、このメールをお送りしています。`,
  },
} as const;

export interface BroadcastEmailInput {
  readonly lang: Lang;
  readonly subject: string;
  readonly body: string;
  readonly productName: string;
  readonly links: readonly { readonly fileName: string; readonly url: string }[];
  readonly downloadLimit: number;
  readonly linkTtlHours: number;
  /** The page with the unsubscribe button (a person's click). */
  readonly unsubscribePageUrl: string;
  /** The one-click endpoint of RFC 8058 (a mail client's POST). */
  readonly unsubscribePostUrl: string;
}

export function broadcastEmail(input: BroadcastEmailInput): EmailMessage {
  const t = copy[input.lang];
  const e = escapeHtml;
  const paragraphs = input.body.trim().split(/\n\s*\n/);
  const text = [
    input.body.trim(),
    ...(input.links.length ? ['', t.links(input.downloadLimit, input.linkTtlHours), ...input.links.map((l) => `- ${l.fileName}: ${l.url}`)] : []),
    '',
    `${t.unsubscribe} ${input.unsubscribePageUrl}`,
    t.footer(input.productName),
  ].join('\n');
  const html = `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
${paragraphs.map((p) => `<p>${e(p).replaceAll('\n', '<br>')}</p>`).join('\n')}
${
  input.links.length
    ? `<p>${e(t.links(input.downloadLimit, input.linkTtlHours))}</p><ul>${input.links.map((l) => `<li><a href="${e(l.url)}">${e(l.fileName)}</a></li>`).join('')}</ul>`
    : ''
}
<p style="color:#666;font-size:0.9em">${e(t.footer(input.productName))} <a href="${e(input.unsubscribePageUrl)}">${e(t.unsubscribe.replace(/[:：]$/, ''))}</a></p>
</body></html>`;
  return {
    subject: input.subject,
    text,
    html,
    headers: [
      { name: 'List-Unsubscribe', value: `<${input.unsubscribePostUrl}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
  };
}

export async function runBroadcast(orders: readonly Order[], request: BroadcastRequest, deps: BroadcastDeps): Promise<BroadcastReport> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fault = deps.fault ?? (() => undefined);
  const { settings, store } = deps;
  const recipients = broadcastRecipients(orders, request.filter);
  const report: BroadcastReport = { id: request.id, matched: recipients.length, sent: 0, alreadySent: 0, unsubscribed: 0, failed: 0, stoppedAtQuota: false, dryRun: Boolean(request.dryRun) };
  const reruns = { ran: 0, failed: 0, before: 0 };
  if (request.rerun) {
    if (!deps.rerun) throw new Error('runBroadcast: a rerun request needs deps.rerun');
    report.rerun = reruns;
  }

  const fingerprint = broadcastFingerprint(request);
  if (!request.dryRun) {
    const recorded = await store.openBroadcast(request.id, fingerprint, new Date(now()).toISOString());
    if (recorded !== fingerprint) {
      throw new BroadcastError('broadcast_id_reused', `Broadcast "${request.id}" was started with another subject, body or filter: give this one a new --id, or run the first one's exact command to finish it.`);
    }
  }
  const key = await deps.key();
  const quota = await deps.sendQuota();
  // Half the account's rate: the shop's own emails (deliveries, lookups) keep the other half.
  const intervalMs = quota.maxSendRate > 0 ? 1000 / (quota.maxSendRate / 2) : 1000;
  let left = quota.max24HourSend < 0 ? Number.POSITIVE_INFINITY : Math.max(0, quota.max24HourSend - quota.sentLast24Hours);
  let lastSend = Number.NEGATIVE_INFINITY;
  let done = 0;
  const tick = () => deps.progress?.(++done, recipients.length);

  for (const recipient of recipients) {
    const id = addressId(key, recipient.address);
    if (await store.broadcastSent(request.id, id)) {
      report.alreadySent++;
      tick();
      continue;
    }
    if (await store.isUnsubscribed(id)) {
      report.unsubscribed++;
      tick();
      continue;
    }
    if (left <= 0) {
      report.stoppedAtQuota = true;
      break;
    }
    if (request.dryRun) {
      // A dry run counts who would get the email (and whose orders would run again), within today's quota.
      if (request.rerun) {
        for (const order of recipient.orders.filter(linkable)) {
          if (await rerunDone(request.id, order, store)) reruns.before++;
          else reruns.ran++;
        }
      }
      report.sent++;
      left--;
      tick();
      continue;
    }
    const wait = lastSend + intervalMs - now();
    if (wait > 0) await sleep(wait);

    const links: { fileName: string; url: string }[] = [];
    for (const order of recipient.orders) {
      if (!linkable(order)) continue;
      if (request.rerun && deps.rerun) await rerunOnce(request.id, order, deps.rerun, store, reruns);
      const { token, hash } = mintToken();
      await store.attachToken({ hash, orderId: order.orderId, downloadsLeft: settings.downloadLimit, expiresAt: Math.floor(now() / 1000 + settings.linkTtlHours * 3600), revoked: false });
      links.push({ fileName: order.fileName, url: `${settings.siteUrl}/d/${token}` });
    }
    const unsubscribe = unsubscribeToken(key, recipient.address);
    const message = broadcastEmail({
      lang: recipient.lang,
      subject: request.subject,
      body: request.body,
      productName: settings.productName,
      links,
      downloadLimit: settings.downloadLimit,
      linkTtlHours: settings.linkTtlHours,
      unsubscribePageUrl: `${settings.siteUrl}/unsubscribe.html?t=${unsubscribe}`,
      unsubscribePostUrl: `${settings.siteUrl}/api/unsubscribe/${unsubscribe}`,
    });
    lastSend = now();
    try {
      await deps.mailer.send(recipient.address, message);
    } catch (error) {
      if (deps.isQuotaRefusal(error)) {
        report.stoppedAtQuota = true;
        break;
      }
      report.failed++;
      const reason = error instanceof Error ? error.message : String(error);
      throw new BroadcastError(
        'send_failed',
        `Sending stopped: the mail service refused an email (${reason}). ${report.sent} sent in this run, ${report.alreadySent} before; run the same command again to continue.`,
        report,
      );
    }
    await fault('broadcast:sent');
    const at = new Date(now()).toISOString();
    for (const order of recipient.orders) {
      // Best effort, like every timeline note: the email went out whether or not it is noted.
      await store
        .recordOrderEvent(order.orderId, { at, kind: 'email', detail: { template: 'broadcast', broadcast: request.id, to: recipient.address, link: linkable(order) } })
        .catch(() => undefined);
    }
    await store.markBroadcastSent(request.id, id, new Date(now()).toISOString());
    report.sent++;
    left--;
    tick();
  }
  return report;
}

/** Whether an earlier run of this broadcast already ran the order again (see the top of this file). */
async function rerunDone(id: string, order: Order, store: BroadcastStore): Promise<boolean> {
  const note = await store.rerunNote(id, order.orderId);
  return note !== undefined && (note.outcome !== undefined || (order.resultRevision ?? 1) >= note.revision);
}

async function rerunOnce(
  id: string,
  order: Order,
  rerun: (order: Order) => Promise<RerunResult>,
  store: BroadcastStore,
  reruns: { ran: number; failed: number; before: number },
): Promise<void> {
  if (await rerunDone(id, order, store)) {
    reruns.before++;
    return;
  }
  const revision = (order.resultRevision ?? 1) + 1;
  await store.noteRerun(id, order.orderId, { revision });
  const result = await rerun(order);
  if (!result.ok && result.code === 'rerun_running') {
    // Another rerun holds the order (perhaps one a killed run left): neither run it nor mail about it now.
    throw new BroadcastError('rerun_running', `${result.message} Nothing more was sent; run the same command again when it has finished.`);
  }
  await store.noteRerun(id, order.orderId, { revision, outcome: result.ok ? 'ok' : 'failed', ...(result.ok ? {} : { code: result.code }) });
  if (result.ok) reruns.ran++;
  else reruns.failed++;
}
