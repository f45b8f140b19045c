/**
 * The operator's actions on orders, each run as `npx uplock …` in a child process against a local
 * cloud: resend, refund, extend, rerun, delete (and the tombstone a later Stripe event meets),
 * and the timeline `orders show` builds from what they record.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErasedOrder, OrderDetail } from '../../lambdas/contract';
import { awsClientSettings, s3ClientSettings } from '../../lambdas/adapters/clients';
import { uplock } from './cli-support';
import {
  downloadLinkIn,
  payOnStripePage,
  readyOrder,
  standInStripe,
  startTestCloud,
  waitForEmails,
  waitForOrder,
  type TestCloud,
} from './local-cloud';

let cloud: TestCloud;
let s3: S3Client;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(s3ClientSettings(cloud.config.region, cloud.config.endpoints.s3));
  db = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientSettings(cloud.config.region, cloud.config.endpoints.dynamodb)));
});
afterAll(async () => {
  s3?.destroy();
  db?.destroy();
  await cloud?.stop();
});

/** An order that is done, paid and delivered; returns its id and the delivered link. */
async function paidOrder(email: string): Promise<{ orderId: string; link: string }> {
  const ready = await readyOrder(cloud, email);
  const paid = await payOnStripePage(ready.payUrl, '4242424242424242', email);
  expect(paid.status).toBe(303);
  await waitForOrder(cloud, ready.orderId, (v) => v.delivered);
  const [mail] = await waitForEmails(cloud, email, 1);
  const link = mail ? downloadLinkIn(mail) : undefined;
  if (!link) throw new Error('no delivery email');
  return { orderId: ready.orderId, link };
}

const show = async (orderId: string): Promise<OrderDetail> => (await uplock(['--json', 'orders', 'show', orderId], { cloud })).json<OrderDetail>();
const download = (link: string) => fetch(link, { redirect: 'manual' });
const bucketObject = (key: string) => s3.send(new GetObjectCommand({ Bucket: cloud.config.bucketName, Key: key })).then(
  (o) => o.Body?.transformToString(),
  () => undefined,
);
/** Until the shop has answered the event about `chargeId` with a 2xx (pending_webhooks 0). */
async function waitForDelivered(stripe: ReturnType<typeof standInStripe>, type: string, chargeId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = await stripe.events.list({ type, delivery_success: true, limit: 100 });
    if (events.data.some((e) => (e.data.object as { id?: string }).id === chargeId)) return;
    if (Date.now() > deadline) throw new Error(`${type} for ${chargeId} was not delivered`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('orders resend', () => {
  it('emails a fresh working link for a paid order, and refuses an unpaid one with the reason', async () => {
    const { orderId, link } = await paidOrder('resend-paid@example.com');
    const unpaid = await readyOrder(cloud, 'resend-unpaid@example.com');

    const sent = await uplock(['--json', 'orders', 'resend', orderId], { cloud });
    const refused = await uplock(['--json', 'orders', 'resend', unpaid.orderId], { cloud });
    const unknown = await uplock(['--json', 'orders', 'resend', UNKNOWN], { cloud });
    const malformed = await uplock(['orders', 'resend', 'not-an-order'], { cloud });

    expect(sent.code).toBe(0);
    expect(sent.json()).toEqual({ orderId, to: 'resend-paid@example.com', sent: true });
    const mails = await waitForEmails(cloud, 'resend-paid@example.com', 2);
    const fresh = downloadLinkIn(mails[1]!);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(link);
    expect((await download(fresh as string)).status).toBe(302);
    expect(refused.code).toBe(1);
    expect(refused.json()).toEqual({ error: { code: 'no_link_not_paid', message: `Order ${unpaid.orderId} gets no download link: it is not paid.` } });
    expect(await waitForEmails(cloud, 'resend-unpaid@example.com', 1, 300)).toHaveLength(0);
    expect(unknown.code).toBe(1);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('order_not_found');
    expect(malformed.code).toBe(2);
  }, 180_000);
});

describe('orders extend, refund and the timeline', () => {
  it('extends links, refunds once through Stripe (links revoked, buyer emailed), refuses what it must', async () => {
    const email = 'refund-me@example.com';
    const { orderId, link } = await paidOrder(email);
    expect((await download(link)).status).toBe(302);
    const unpaid = await readyOrder(cloud, 'refund-unpaid@example.com');

    const extended = await uplock(['--json', 'orders', 'extend', orderId, '--downloads', '2', '--days', '3'], { cloud });
    expect(extended.code).toBe(0);
    const [only] = extended.json<{ extended: { downloadsLeft: number; expiresAt: string }[] }>().extended;
    // 5 downloads, one taken above, two added.
    expect(only?.downloadsLeft).toBe(6);
    expect(Date.parse(only?.expiresAt ?? '')).toBeGreaterThan(Date.now() + (7 + 3) * 86_400_000 - 3_600_000);
    expect((await uplock(['orders', 'extend', orderId], { cloud })).code).toBe(2);

    const notPaid = await uplock(['--json', 'orders', 'refund', unpaid.orderId, '--yes'], { cloud });
    expect(notPaid.code).toBe(1);
    expect(notPaid.json<{ error: { code: string } }>().error.code).toBe('not_paid');
    const unconfirmed = await uplock(['--json', 'orders', 'refund', orderId], { cloud });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.json<{ error: { code: string } }>().error.code).toBe('confirmation_required');
    const dry = await uplock(['--json', 'orders', 'refund', orderId, '--dry-run'], { cloud });
    expect(dry.json()).toMatchObject({ orderId, outcome: 'would_refund', dryRun: true });
    expect((await show(orderId)).payment).toBe('paid');

    const refunded = await uplock(['--json', 'orders', 'refund', orderId, '--reason', 'wrong file', '--yes'], { cloud });
    expect(refunded.code).toBe(0);
    expect(refunded.json()).toMatchObject({ orderId, outcome: 'requested', revoked: true });
    const again = await uplock(['--json', 'orders', 'refund', orderId, '--yes'], { cloud });
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ orderId, outcome: 'already_refunded' });

    const detail = await show(orderId);
    expect(detail.payment).toBe('refunded');
    const refunds = await standInStripe(cloud).refunds.list({ payment_intent: detail.paymentIntentId as string });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]?.metadata).toMatchObject({ uplock_order: orderId, uplock_reason: 'wrong file' });
    expect((await download(link)).status).toBe(410);
    const mails = await waitForEmails(cloud, email, 2);
    expect(mails.map((m) => m.subject)).toContainEqual(expect.stringMatching(/^We refunded your/));
    const noExtend = await uplock(['--json', 'orders', 'extend', orderId, '--days', '1'], { cloud });
    expect(noExtend.code).toBe(1);
    expect(noExtend.json<{ error: { code: string } }>().error.code).toBe('refunded');

    // The timeline: everything above, oldest first, each with its time.
    const after = await show(orderId);
    const kinds = after.timeline.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['created', 'uploaded', 'job_done', 'paid', 'delivered', 'email', 'download', 'extended', 'refund_requested', 'refunded']));
    expect(after.timeline.find((e) => e.kind === 'paid')?.detail).toMatchObject({ sessionId: detail.sessionId, amount: cloud.config.price.amount });
    expect(after.timeline.filter((e) => e.kind === 'email').map((e) => e.detail?.template)).toEqual(expect.arrayContaining(['delivery', 'refund_refunded']));
    const times = after.timeline.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(kinds.indexOf('created')).toBe(0);
    expect(kinds.indexOf('paid')).toBeLessThan(kinds.indexOf('download'));
  }, 240_000);
});

describe('--dry-run on resend, extend and rerun', () => {
  it('says what would happen and changes nothing: no email, no new link values, no new revision, nothing on the timeline', async () => {
    const email = 'dry-run@example.com';
    const { orderId, link } = await paidOrder(email);
    const before = await show(orderId);
    const itemBefore = await db.send(new GetCommand({ TableName: cloud.config.tableName, Key: { pk: `ORDER#${orderId}` } }));

    const resend = await uplock(['--json', 'orders', 'resend', orderId, '--dry-run'], { cloud });
    expect(resend.code).toBe(0);
    expect(resend.json()).toEqual({ orderId, to: email, sent: false, dryRun: true });

    const extend = await uplock(['--json', 'orders', 'extend', orderId, '--downloads', '4', '--dry-run'], { cloud });
    expect(extend.code).toBe(0);
    expect(extend.json()).toMatchObject({ orderId, dryRun: true, extended: [expect.objectContaining({ downloadsLeft: 9 })] });

    const rerun = await uplock(['--json', 'orders', 'rerun', orderId, '--dry-run'], { cloud });
    expect(rerun.code).toBe(0);
    expect(rerun.json()).toMatchObject({ orderId, revision: 2, fileName: 'data.csv', emailed: true, dryRun: true });
    const rerunText = await uplock(['orders', 'rerun', orderId, '--dry-run'], { cloud });
    expect(rerunText.stdout).toMatch(/^Would run .* as revision 2, then email the buyer a link to it\. Nothing run \(--dry-run\)\.$/m);

    // Nothing changed: one email (the delivery), the link as delivered, no revision 2, the same timeline and item.
    expect(await waitForEmails(cloud, email, 2, 300)).toHaveLength(1);
    expect(await bucketObject(`results/${orderId}/r2/report.html`)).toBeUndefined();
    expect((await show(orderId)).timeline).toEqual(before.timeline);
    const itemAfter = await db.send(new GetCommand({ TableName: cloud.config.tableName, Key: { pk: `ORDER#${orderId}` } }));
    expect(itemAfter.Item).toEqual(itemBefore.Item);
    expect((await download(link)).headers.get('location')).not.toContain('/r2/');
    // The link still holds its own count: 5, one taken just now, one added for real.
    const real = await uplock(['--json', 'orders', 'extend', orderId, '--downloads', '1'], { cloud });
    expect(real.json()).toMatchObject({ extended: [expect.objectContaining({ downloadsLeft: 5 })] });

    // The dry run refuses what the rerun would: an expired upload, an unknown order.
    await s3.send(new DeleteObjectCommand({ Bucket: cloud.config.bucketName, Key: `uploads/${orderId}/input` }));
    const expired = await uplock(['--json', 'orders', 'rerun', orderId, '--dry-run'], { cloud });
    expect(expired.code).toBe(1);
    expect(expired.json<{ error: { code: string } }>().error.code).toBe('upload_expired');
    const unknown = await uplock(['--json', 'orders', 'rerun', UNKNOWN, '--dry-run'], { cloud });
    expect(unknown.code).toBe(1);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('order_not_found');
  }, 180_000);
});

describe('orders show: a delayed payment on the timeline', () => {
  it('shows the payment pending, failing, then a card payment, each once and in order', async () => {
    const email = 'delayed-then-card@example.com';
    const ready = await readyOrder(cloud, email);
    const sepa = await payOnStripePage(ready.payUrl, 'DE62 3704 0044 0532 0130 01', email);
    expect(sepa.status).toBe(303);
    const sessionId = new URL(sepa.headers.get('location') as string).searchParams.get('session_id') as string;
    await waitForOrder(cloud, ready.orderId, (v) => v.payment === 'pending');
    await fetch(`${cloud.urls.stripe}/_test/sessions/${sessionId}/settle`, { method: 'POST', body: new URLSearchParams({ outcome: 'failed' }) });
    const back = await waitForOrder(cloud, ready.orderId, (v) => v.payment === 'unpaid' && Boolean(v.payUrl));
    expect((await payOnStripePage(back.payUrl as string, '4242424242424242', email)).status).toBe(303);
    await waitForOrder(cloud, ready.orderId, (v) => v.delivered);

    const detail = await show(ready.orderId);

    const kinds = detail.timeline.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'paid' || k.startsWith('payment_'))).toEqual(['payment_pending', 'payment_failed', 'paid']);
    expect(detail.timeline.find((e) => e.kind === 'payment_pending')?.detail).toEqual({ sessionId });
    expect(detail.timeline.find((e) => e.kind === 'payment_failed')?.detail).toEqual({ sessionId });
    expect(detail.timeline.find((e) => e.kind === 'paid')?.detail?.sessionId).not.toBe(sessionId);
  }, 120_000);
});

describe('orders rerun', () => {
  it('serves a new revision to a paid buyer and emails it; a failed rerun and an expired upload change nothing', async () => {
    const email = 'rerun-me@example.com';
    const { orderId, link } = await paidOrder(email);
    const firstKey = `results/${orderId}/report.html`;
    expect(await bucketObject(firstKey)).toBeDefined();

    const run = await uplock(['--json', 'orders', 'rerun', orderId], { cloud });
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ orderId, revision: 2, primary: 'report.html', emailed: true });
    expect(await bucketObject(`results/${orderId}/r2/report.html`)).toBeDefined();
    const mails = await waitForEmails(cloud, email, 2);
    const fresh = downloadLinkIn(mails[1]!);
    const served = await download(fresh as string);
    expect(served.status).toBe(302);
    expect(served.headers.get('location')).toContain(`/results/${orderId}/r2/report.html`);
    // The link mailed first now serves the new revision too.
    expect((await download(link)).headers.get('location')).toContain('/r2/');

    // A rerun that fails (the stored upload is now empty) keeps revision 2 and the payment.
    await s3.send(new PutObjectCommand({ Bucket: cloud.config.bucketName, Key: `uploads/${orderId}/input`, Body: '', Metadata: { 'original-name': 'data.csv' } }));
    const failed = await uplock(['--json', 'orders', 'rerun', orderId], { cloud });
    expect(failed.code).toBe(1);
    expect(failed.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'rerun_failed', message: expect.stringMatching(/keeps its result and its payment/) });
    expect((await download(link)).headers.get('location')).toContain('/r2/');
    expect((await show(orderId)).payment).toBe('paid');

    // Once the upload has expired, a rerun is refused with the reason.
    await s3.send(new DeleteObjectCommand({ Bucket: cloud.config.bucketName, Key: `uploads/${orderId}/input` }));
    const expired = await uplock(['--json', 'orders', 'rerun', orderId], { cloud });
    expect(expired.code).toBe(1);
    expect(expired.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'upload_expired', message: expect.stringMatching(/kept 30 days/) });
    const reruns = (await show(orderId)).timeline.filter((e) => e.kind === 'rerun').map((e) => e.detail);
    expect(reruns).toEqual([
      expect.objectContaining({ revision: 2, ok: true }),
      expect.objectContaining({ revision: 3, ok: false, code: 'rerun_failed' }),
      expect.objectContaining({ revision: 3, ok: false, code: 'upload_expired' }),
    ]);
  }, 240_000);

  it('reruns an unpaid order without emailing anyone', async () => {
    const ready = await readyOrder(cloud, 'rerun-unpaid@example.com');

    const run = await uplock(['--json', 'orders', 'rerun', ready.orderId], { cloud });

    expect(run.json()).toMatchObject({ revision: 2, emailed: false });
    expect(await waitForEmails(cloud, 'rerun-unpaid@example.com', 1, 300)).toHaveLength(0);
  }, 120_000);
});

describe('orders delete', () => {
  it('erases an order and leaves a tombstone that a later refund event meets; deleting twice fails', async () => {
    const { orderId, link } = await paidOrder('erase-me@example.com');
    const before = await show(orderId);

    const dry = await uplock(['--json', 'orders', 'delete', orderId, '--dry-run'], { cloud });
    expect(dry.code).toBe(0);
    expect(await bucketObject(`uploads/${orderId}/input`)).toBeDefined();
    const unconfirmed = await uplock(['orders', 'delete', orderId], { cloud });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/Refusing without --yes/);

    const erased = await uplock(['--json', 'orders', 'delete', orderId, '--yes'], { cloud });
    expect(erased.code).toBe(0);
    const [result] = erased.json<ErasedOrder[]>();
    expect(result?.removed.tokens).toBe(1);
    expect(result?.removed.objects).toEqual(expect.arrayContaining([`uploads/${orderId}/input`, `previews/${orderId}.json`, `results/${orderId}/report.html`, `results/${orderId}/report.json`]));
    expect(result?.tombstone).toEqual({ orderId, paymentIntentId: before.paymentIntentId, erasedAt: expect.any(String) });
    expect(dry.json<ErasedOrder[]>()[0]?.removed.objects.sort()).toEqual([...(result?.removed.objects ?? [])].sort());
    for (const key of result?.removed.objects ?? []) expect(await bucketObject(key)).toBeUndefined();
    expect((await download(link)).status).toBe(404);
    const tombstone = await db.send(new GetCommand({ TableName: cloud.config.tableName, Key: { pk: `ERASED#${orderId}` } }));
    expect(Object.keys(tombstone.Item ?? {}).sort()).toEqual(['erasedAt', 'orderId', 'paymentIntentId', 'pk']);

    const twice = await uplock(['--json', 'orders', 'delete', orderId, '--yes'], { cloud });
    expect(twice.code).toBe(1);
    expect(twice.json<{ error: { code: string } }>().error.code).toBe('already_erased');
    const shown = await uplock(['--json', 'orders', 'show', orderId], { cloud });
    expect(shown.json<{ error: { code: string } }>().error.code).toBe('order_erased');

    // A refund made later in the Stripe Dashboard reaches the shop: recognised as the erased
    // order's, so it is not parked as an early refund for a payment still to come.
    const stripe = standInStripe(cloud);
    const refund = await stripe.refunds.create({ payment_intent: before.paymentIntentId as string });
    await waitForDelivered(stripe, 'charge.refunded', refund.charge as string);
    const early = await db.send(new GetCommand({ TableName: cloud.config.tableName, Key: { pk: `PI#${before.paymentIntentId}` } }));
    expect(early.Item).toEqual({ pk: `PI#${before.paymentIntentId}`, orderId });
  }, 240_000);

  it('erases every order of an address with --email, and fails for an address with none', async () => {
    const first = await readyOrder(cloud, 'erase-all@example.com');
    const second = await readyOrder(cloud, 'Erase-All@example.com');

    const run = await uplock(['--json', 'orders', 'delete', '--email', 'ERASE-ALL@example.com', '--yes'], { cloud });
    const none = await uplock(['--json', 'orders', 'delete', '--email', 'erase-all@example.com', '--yes'], { cloud });
    const both = await uplock(['orders', 'delete', first.orderId, '--email', 'erase-all@example.com'], { cloud });

    expect(run.code).toBe(0);
    expect(run.json<ErasedOrder[]>().map((e) => e.orderId).sort()).toEqual([first.orderId, second.orderId].sort());
    expect(none.code).toBe(1);
    expect(none.json<{ error: { code: string } }>().error.code).toBe('no_orders');
    expect(both.code).toBe(2);
  }, 180_000);
});
