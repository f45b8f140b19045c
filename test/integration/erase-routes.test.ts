/**
 * The buyer's "Delete my data" over HTTP: POST /api/orders/{orderId}/erase-request and
 * POST /api/erase/{token}: JSON bodies only, no enumeration, a confirmation link to the order's
 * own address, an erase only on the POST, a repeat that still answers "erased", rate limits.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERASE_REQUEST_LIMITS } from '../../lambdas/core/erase';
import { emails, readyOrder, startTestCloud, waitForEmails, type TestCloud } from './local-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud?.stop();
});

const post = (path: string, body: unknown = {}, contentType = 'application/json') =>
  cloud.api(path, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const eraseLinkIn = (text: string | undefined) => /\/erase\.html\?t=([A-Za-z0-9_-]{43})/.exec(text ?? '')?.[1];

it('answers 202 alike for a real and an unknown order, and emails only the real order\'s address', async () => {
  const order = await readyOrder(cloud, 'erase-route@example.com');
  const before = (await emails(cloud)).length;

  const real = await post(`/api/orders/${order.orderId}/erase-request`, { lang: 'en' });
  const unknown = await post('/api/orders/00000000-0000-4000-8000-000000000000/erase-request');

  expect(real.status).toBe(202);
  expect(unknown.status).toBe(202);
  expect(await real.json()).toEqual(await unknown.json());
  const [mail] = await waitForEmails(cloud, 'erase-route@example.com', 1);
  expect(mail?.subject).toMatch(/^Confirm: delete your/);
  expect(eraseLinkIn(mail?.body.text)).toBeDefined();
  expect((await emails(cloud)).length).toBe(before + 1);
});

it('erases only on a JSON POST of the emailed token, says "erased" again on a repeat, 404 for a made-up one', async () => {
  const order = await readyOrder(cloud, 'erase-confirm@example.com');
  await post(`/api/orders/${order.orderId}/erase-request`);
  const [mail] = await waitForEmails(cloud, 'erase-confirm@example.com', 1);
  const token = eraseLinkIn(mail?.body.text) as string;

  const form = await post(`/api/erase/${token}`, 'x=1', 'application/x-www-form-urlencoded');
  const stillThere = await cloud.api(`/api/orders/${order.orderId}`);
  const erased = await post(`/api/erase/${token}`);
  const again = await post(`/api/erase/${token}`);
  const madeUp = await post(`/api/erase/${'A'.repeat(43)}`);
  const malformed = await post('/api/erase/short');

  expect(form.status).toBe(415);
  expect(stillThere.status).toBe(200);
  expect(erased.status).toBe(200);
  expect(await erased.json()).toEqual({ orderId: order.orderId, erased: true });
  expect((await cloud.api(`/api/orders/${order.orderId}`)).status).toBe(404);
  expect(again.status).toBe(200);
  expect(madeUp.status).toBe(404);
  expect(await madeUp.json()).toMatchObject({ error: { code: 'erase_link_invalid' } });
  expect(malformed.status).toBe(404);
});

it('refuses a request without a JSON body (415) and a malformed order id (400)', async () => {
  const order = await readyOrder(cloud, 'erase-415@example.com');

  const plain = await post(`/api/orders/${order.orderId}/erase-request`, '{}', 'text/plain');
  const malformed = await post('/api/orders/not-an-order/erase-request');

  expect(plain.status).toBe(415);
  expect(malformed.status).toBe(400);
  expect(await waitForEmails(cloud, 'erase-415@example.com', 1, 300)).toHaveLength(0);
});

it(`sends at most ${ERASE_REQUEST_LIMITS.perOrderPerHour} confirmation emails per order an hour`, async () => {
  const order = await readyOrder(cloud, 'erase-limit@example.com');

  const statuses: number[] = [];
  for (let i = 0; i <= ERASE_REQUEST_LIMITS.perOrderPerHour; i++) statuses.push((await post(`/api/orders/${order.orderId}/erase-request`)).status);

  expect(statuses).toEqual([...Array<number>(ERASE_REQUEST_LIMITS.perOrderPerHour).fill(202), 429]);
  expect(await waitForEmails(cloud, 'erase-limit@example.com', ERASE_REQUEST_LIMITS.perOrderPerHour + 1, 1000)).toHaveLength(ERASE_REQUEST_LIMITS.perOrderPerHour);
});
