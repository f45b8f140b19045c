/**
 * `uplock broadcast` against the local cloud: the tool in a child process, the local SES account's
 * quota (local/ses-account.ts) and its fault switch, the unsubscribe route over HTTP.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastReport, OrderDetail } from '../../lambdas/contract';
import { uplock } from './cli-support';
import { downloadLinkIn, emails, payOnStripePage, readyOrder, startTestCloud, waitForEmails, type StoredEmail, type TestCloud } from './local-cloud';

const BUYERS = ['bc-a@example.com', 'bc-b@example.com', 'bc-c@example.com', 'bc-d@example.com'];

describe('uplock broadcast', () => {
  let cloud: TestCloud;
  let bodyFile: string;
  let paidOrderId: string;
  beforeAll(async () => {
    cloud = await startTestCloud();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'uplock-broadcast-'));
    bodyFile = path.join(dir, 'note.txt');
    await writeFile(bodyFile, 'Hello,\n\nthe report now has histograms.\n');
    const paid = await readyOrder(cloud, BUYERS[0] as string);
    paidOrderId = paid.orderId;
    expect((await payOnStripePage(paid.payUrl, '4242424242424242')).status).toBe(303);
    await waitForEmails(cloud, BUYERS[0] as string, 1);
    for (const buyer of BUYERS.slice(1)) await readyOrder(cloud, buyer);
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  const broadcast = (id: string, extra: string[] = [], subject = `News ${id}`) =>
    uplock(['--json', 'broadcast', '--id', id, '--subject', subject, '--body-file', bodyFile, '--yes', ...extra], { cloud });
  const received = async (subject: string): Promise<StoredEmail[]> => (await emails(cloud)).filter((e) => e.subject === subject);

  it('refuses to send off a terminal without --yes, and names bad input as usage errors', async () => {
    const noYes = await uplock(['broadcast', '--id', 'x', '--subject', 'S', '--body-file', bodyFile], { cloud });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/Refusing without --yes/);

    const noFile = await uplock(['--json', 'broadcast', '--id', 'x', '--subject', 'S', '--body-file', '/nonexistent/note.txt', '--yes'], { cloud });
    expect(noFile.code).toBe(2);
    expect(noFile.json()).toEqual({ error: { code: 'invalid_option', message: 'Cannot read --body-file /nonexistent/note.txt: ENOENT' } });

    const badId = await uplock(['broadcast', '--id', '../x', '--subject', 'S', '--body-file', bodyFile, '--yes'], { cloud });
    expect(badId.code).toBe(2);
  }, 60_000);

  it('mails each buyer once with fresh links and an unsubscribe link; the link unsubscribes', async () => {
    const run = await broadcast('welcome');

    expect(run.code).toBe(0);
    expect(run.json<BroadcastReport>()).toMatchObject({ matched: 4, sent: 4, alreadySent: 0, stoppedAtQuota: false });
    const mails = await received('News welcome');
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(BUYERS);
    const toPaid = mails.find((m) => m.destination.to[0] === BUYERS[0]);
    const link = /http:\/\/\S+\/d\/[A-Za-z0-9_-]{43}/.exec(toPaid?.body.text ?? '')?.[0];
    expect(link).toBeDefined();
    expect((await fetch(link as string, { redirect: 'manual' })).status).toBe(302);
    expect(mails.find((m) => m.destination.to[0] === BUYERS[1])?.body.text).not.toMatch(/\/d\//);
    const headers = (toPaid as unknown as { headers?: { name: string; value: string }[] }).headers ?? [];
    expect(headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });

    // The last buyer unsubscribes with their mail client's one-click POST (RFC 8058).
    const toLast = mails.find((m) => m.destination.to[0] === BUYERS[3]) as unknown as { headers?: { name: string; value: string }[] };
    const oneClick = /<(.+)>/.exec(toLast.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '')?.[1];
    expect(oneClick).toMatch(/\/api\/unsubscribe\//);
    const res = await fetch(oneClick as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    const forged = await fetch(`${cloud.urls.site}/api/unsubscribe/${'A'.repeat(22)}.${'B'.repeat(22)}`, { method: 'POST' });
    expect(forged.status).toBe(404);
  }, 120_000);

  it('interrupted by the daily quota and by an SES outage, resumed, sends each subscribed buyer exactly one email', async () => {
    const { SentLast24Hours } = cloud.sesAccount.sendQuota();
    cloud.sesAccount.set({ max24HourSend: SentLast24Hours + 1 });

    const first = await broadcast('update');
    expect(first.code).toBe(0);
    expect(first.json<BroadcastReport>()).toMatchObject({ sent: 1, stoppedAtQuota: true });
    expect(first.stderr).toMatch(/Run the same command again tomorrow/);

    cloud.sesAccount.set({ max24HourSend: 50_000 });
    cloud.faults.set({ sesErrorsSeconds: 120 });
    const second = await broadcast('update');
    cloud.faults.clear();
    expect(second.code).toBe(1);
    // SES answers nothing: the run stops before its first email (a send refused mid-run: test/unit/core/broadcast.test.ts).
    expect(second.json<{ error: { code: string } }>().error.code).toBe('ses_unavailable');

    const third = await broadcast('update');
    expect(third.code).toBe(0);
    expect(third.json<BroadcastReport>()).toMatchObject({ matched: 4, sent: 2, alreadySent: 1, unsubscribed: 1, stoppedAtQuota: false });

    const again = await broadcast('update');
    expect(again.json<BroadcastReport>()).toMatchObject({ sent: 0, alreadySent: 3, unsubscribed: 1 });

    const mails = await received('News update');
    const counts = new Map<string, number>();
    for (const m of mails) counts.set(m.destination.to[0] as string, (counts.get(m.destination.to[0] as string) ?? 0) + 1);
    // --status was not given: every buyer matches; the unsubscribed one gets nothing.
    expect(Object.fromEntries(counts)).toEqual({ [BUYERS[0] as string]: 1, [BUYERS[1] as string]: 1, [BUYERS[2] as string]: 1 });
  }, 240_000);

  it('refuses the same id with another subject', async () => {
    const run = await broadcast('update', [], 'A different subject');

    expect(run.code).toBe(1);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('broadcast_id_reused');
  }, 60_000);

  it('--rerun runs each paid order again before its email, once, across an interrupted and resumed run', async () => {
    const second = 'bc-rerun@example.com';
    const ready = await readyOrder(cloud, second);
    expect((await payOnStripePage(ready.payUrl, '4242424242424242', second)).status).toBe(303);
    await waitForEmails(cloud, second, 1);
    const show = async (orderId: string) => (await uplock(['--json', 'orders', 'show', orderId], { cloud })).json<OrderDetail>();
    const reruns = async (orderId: string) => (await show(orderId)).timeline.filter((e) => e.kind === 'rerun').map((e) => e.detail);
    const redo = (extra: string[] = []) => broadcast('redo', ['--status', 'paid', '--rerun', ...extra], 'Your report, redone');

    const dry = await redo(['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.json<BroadcastReport>()).toMatchObject({ dryRun: true, matched: 2, sent: 2, rerun: { ran: 2, failed: 0, before: 0 } });
    expect(await reruns(paidOrderId)).toEqual([]);

    // Room for one email: the first buyer's order runs again and is mailed, then the run stops.
    const { SentLast24Hours } = cloud.sesAccount.sendQuota();
    cloud.sesAccount.set({ max24HourSend: SentLast24Hours + 1 });
    const first = await redo();
    expect(first.code).toBe(0);
    expect(first.json<BroadcastReport>()).toMatchObject({ sent: 1, stoppedAtQuota: true, rerun: { ran: 1, failed: 0, before: 0 } });
    cloud.sesAccount.set({ max24HourSend: 50_000 });
    const resumed = await redo();
    expect(resumed.json<BroadcastReport>()).toMatchObject({ sent: 1, alreadySent: 1, stoppedAtQuota: false, rerun: { ran: 1, failed: 0, before: 0 } });
    const again = await redo();
    expect(again.json<BroadcastReport>()).toMatchObject({ sent: 0, alreadySent: 2, rerun: { ran: 0, failed: 0, before: 0 } });

    for (const [orderId, buyer] of [
      [paidOrderId, BUYERS[0] as string],
      [ready.orderId, second],
    ] as const) {
      // One rerun each, as a new revision; the broadcast's link serves it, and no separate "updated" email went out.
      expect(await reruns(orderId)).toEqual([expect.objectContaining({ revision: 2, ok: true })]);
      const mails = (await emails(cloud)).filter((m) => m.destination.to[0] === buyer && m.subject === 'Your report, redone');
      expect(mails).toHaveLength(1);
      const served = await fetch(downloadLinkIn(mails[0] as StoredEmail) as string, { redirect: 'manual' });
      expect(served.headers.get('location')).toContain(`/results/${orderId}/r2/`);
      expect((await emails(cloud)).filter((m) => m.destination.to[0] === buyer && /updated/i.test(m.subject))).toEqual([]);
      const noted = (await show(orderId)).timeline.filter((e) => e.kind === 'email' && e.detail?.template === 'broadcast' && e.detail.broadcast === 'redo');
      expect(noted).toEqual([expect.objectContaining({ detail: expect.objectContaining({ to: buyer, link: true }) })]);
    }
  }, 240_000);
});
