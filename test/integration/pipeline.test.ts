/**
 * The whole pipeline over real HTTP against the local cloud: create → presigned POST upload →
 * S3 event → job → preview → pay on the Stripe page → webhook → email in the SES store →
 * download ×5 → 410.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrder,
  createOrderOk,
  downloadLinkIn,
  emails,
  getOrder,
  payOnStripePage,
  sampleCsv,
  startTestCloud,
  uploadFile,
  waitForEmails,
  waitForOrder,
  type TestCloud,
} from './local-cloud';

let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ maxUploadBytes: 64 * 1024 });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the happy path', () => {
  it('delivers a download link after payment that works 5 times (report.json included), then answers 410', async () => {
    const csv = sampleCsv(50);
    const order = await createOrderOk(cloud, 'buyer@example.com', 'people.csv', csv);
    expect(order.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(order.upload.fields.key).toBe(`uploads/${order.orderId}/input`);

    expect((await uploadFile(order, 'people.csv', csv)).status).toBe(204);
    const done = await waitForOrder(cloud, order.orderId, (v) => v.job !== 'awaiting_upload' && v.job !== 'processing');
    expect(done).toMatchObject({ job: 'done', payment: 'unpaid', delivered: false });
    expect(done.preview).toBeDefined();
    expect(done.payUrl).toContain(`client_reference_id=${order.orderId}`);
    // The order view is readable by anyone with the id: no address in it, not even in payUrl.
    expect(JSON.stringify(done)).not.toContain('buyer');
    expect(done.payUrl).not.toContain('prefilled_email');

    // The payer may use another address than the one prefilled: the result goes to the payer.
    const paid = await payOnStripePage(done.payUrl as string, '4242 4242 4242 4242', 'payer@example.com');
    expect(paid.status).toBe(303);
    const location = new URL(paid.headers.get('location') as string);
    expect(location.origin).toBe(cloud.urls.site);
    expect(location.pathname).toBe('/order.html');
    const sessionId = location.searchParams.get('session_id') as string;
    expect(sessionId).toMatch(/^cs_test_/);

    // The return page asks which order the session paid for.
    const lookup = await cloud.api(`/api/checkout-sessions/${sessionId}`);
    expect(lookup.status).toBe(200);
    expect(await lookup.json()).toEqual({ orderId: order.orderId });

    const delivered = await waitForOrder(cloud, order.orderId, (v) => v.delivered);
    expect(delivered).toMatchObject({ job: 'done', payment: 'paid', delivered: true });
    expect(delivered.payUrl).toBeUndefined();

    const mail = await waitForEmails(cloud, 'payer@example.com', 1);
    expect(mail).toHaveLength(1);
    expect((await emails(cloud)).filter((e) => e.destination.to.includes('buyer@example.com'))).toHaveLength(0);
    const link = downloadLinkIn(mail[0]!);
    expect(link).toBeDefined();

    // report.json comes through the same link (/d/{token}/report.json) and takes one download.
    const json = await fetch(`${link}/report.json`, { redirect: 'manual' });
    expect(json.status).toBe(302);
    const report = (await (await fetch(json.headers.get('location') as string)).json()) as { schemaVersion: number; file: { name: string } };
    expect(report).toMatchObject({ schemaVersion: 2, file: { name: 'people.csv' } });
    // A name no result file can have is refused before the link is touched.
    const bogus = await fetch(`${link}/..%2Finput`, { redirect: 'manual' });
    expect(bogus.status).toBe(404);

    for (let i = 0; i < 4; i++) {
      const res = await fetch(link as string, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const presigned = res.headers.get('location') as string;
      const file = await fetch(presigned);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toContain('attachment');
      expect(await file.text()).toContain('<');
    }
    const sixth = await fetch(link as string, { redirect: 'manual' });
    expect(sixth.status).toBe(410);
    expect(await sixth.json()).toMatchObject({ error: { code: 'link_used_up' } });

    // A browser lands on the friendly page instead.
    const browser = await fetch(link as string, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/link.html?reason=used_up');
  });

  it('delivers when the payment arrives before the job finishes', async () => {
    const csv = sampleCsv(5);
    const order = await createOrderOk(cloud, 'early@example.com', 'early.csv', csv);
    const view = await getOrder(cloud, order.orderId);
    expect(view.payUrl).toBeUndefined();
    // Pay with the link the page would show later: same link, same order reference.
    const payUrl = new URL(cloud.config.stripe.paymentLinkUrl as string);
    payUrl.searchParams.set('client_reference_id', order.orderId);
    expect((await payOnStripePage(payUrl.toString(), '4242424242424242', 'early@example.com')).status).toBe(303);
    const paid = await waitForOrder(cloud, order.orderId, (v) => v.payment === 'paid');
    expect(paid).toMatchObject({ job: 'awaiting_upload', delivered: false });

    expect((await uploadFile(order, 'early.csv', csv)).status).toBe(204);
    await waitForOrder(cloud, order.orderId, (v) => v.delivered);
    expect(await waitForEmails(cloud, 'early@example.com', 1)).toHaveLength(1);
  });
});

describe('bad input to the API', () => {
  it.each([
    ['malformed email', { email: 'not-an-email', fileName: 'a.csv', size: 10 }, 'invalid_email'],
    ['size over the limit', { email: 'a@example.com', fileName: 'a.csv', size: 64 * 1024 + 1 }, 'file_too_large'],
    ['zero size', { email: 'a@example.com', fileName: 'a.csv', size: 0 }, 'invalid_size'],
    ['unaccepted extension', { email: 'a@example.com', fileName: 'a.exe', size: 10 }, 'extension_not_accepted'],
    ['missing fields', { email: 'a@example.com' }, 'invalid_request'],
  ])('refuses %s with 400 %s', async (_name, body, code) => {
    const res = await createOrder(cloud, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await cloud.api('/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers 400 for a malformed order id and 404 for an unknown one', async () => {
    const malformed = await cloud.api('/api/orders/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_order_id' } });
    const unknown = await cloud.api(`/api/orders/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'order_not_found' } });
  });

  it('answers 400 for a malformed session id and 404 for an unknown one', async () => {
    expect((await cloud.api('/api/checkout-sessions/nope')).status).toBe(400);
    expect((await cloud.api('/api/checkout-sessions/cs_test_doesnotexist123')).status).toBe(404);
  });

  it('answers 404 for an unknown download token', async () => {
    const res = await cloud.api(`/d/${'A'.repeat(43)}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'link_not_found' } });
  });

  it('serves the public config with the price from config, not the browser', async () => {
    const res = await cloud.api('/api/config');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      price: { amount: cloud.config.price.amount, currency: cloud.config.price.currency },
      maxUploadBytes: 64 * 1024,
      downloadLimit: 5,
      retentionDays: 30,
    });
  });
});

describe('bad uploads end the job as failed, with nothing to pay for', () => {
  it.each([
    ['an empty file', 'empty.csv', new Uint8Array(0), 'empty_file'],
    ['a binary file claiming to be CSV', 'photo.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]), undefined],
    ['a file larger than the limit (local S3 ignores the policy)', 'big.csv', new Uint8Array(64 * 1024 + 10).fill(0x61), 'too_large'],
  ])('%s', async (_name, fileName, content, code) => {
    // Declare a legal size: the browser's word is what the API sees; the job checks the bytes.
    const res = await createOrder(cloud, { email: 'bad@example.com', fileName, size: 100 });
    const order = (await res.json()) as { orderId: string; upload: { url: string; fields: Record<string, string> }; uploadExpiresAt: string };
    await uploadFile(order, fileName, content);
    const view = await waitForOrder(cloud, order.orderId, (v) => v.job === 'failed' || v.job === 'done');
    expect(view.job).toBe('failed');
    if (code) expect(view.error?.code).toBe(code);
    expect(view.error?.message.length).toBeGreaterThan(5);
    expect(view.payUrl).toBeUndefined();
    expect(view.preview).toBeUndefined();
  });
});
