/** POST /api/orders/lookup: neutral 202, an email with fresh links for paid orders, rate limits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createOrderOk,
  downloadLinkIn,
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
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud?.stop();
});

const lookup = (email: unknown) =>
  cloud.api('/api/orders/lookup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });

it('answers the same 202 for known and unknown addresses, and emails only the known one', async () => {
  const csv = sampleCsv(4);
  const paid = await createOrderOk(cloud, 'Lookup@Example.com', 'paid.csv', csv);
  await uploadFile(paid, 'paid.csv', csv);
  const ready = await waitForOrder(cloud, paid.orderId, (v) => v.job === 'done');
  await payOnStripePage(ready.payUrl as string, '4242424242424242', 'lookup@example.com');
  await waitForOrder(cloud, paid.orderId, (v) => v.delivered);
  const unpaid = await createOrderOk(cloud, 'lookup@example.com', 'unpaid.csv', csv);

  const known = await lookup('lookup@example.com');
  const unknown = await lookup('nobody@example.com');
  expect(known.status).toBe(202);
  expect(unknown.status).toBe(202);
  expect(await known.json()).toEqual(await unknown.json());

  const mails = await waitForEmails(cloud, 'lookup@example.com', 2);
  const list = mails.find((m) => m.body.text?.includes(unpaid.orderId));
  expect(list).toBeDefined();
  expect(list?.body.text).toContain(paid.orderId);
  // A fresh link, different from the delivery email's, that works.
  const fresh = downloadLinkIn(list!);
  const delivered = mails.find((m) => m !== list);
  expect(fresh).toBeDefined();
  expect(fresh).not.toBe(downloadLinkIn(delivered!));
  expect((await fetch(fresh as string, { redirect: 'manual' })).status).toBe(302);
  expect(await waitForEmails(cloud, 'nobody@example.com', 1, 300)).toHaveLength(0);
});

it('refuses a malformed email with 400', async () => {
  const res = await lookup('not an email');
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: { code: 'invalid_email' } });
});

it('limits lookups per address', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await lookup('limited@example.com')).status);
  expect(statuses).toEqual([202, 202, 202, 429, 429]);
  // Another address from the same client is still served.
  expect((await lookup('other@example.com')).status).toBe(202);
});
