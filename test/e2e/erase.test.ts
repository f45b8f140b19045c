/**
 * "Delete my data" in a real browser against the local cloud: the order page's button emails a
 * confirmation link; following the link (as a mail scanner does) erases nothing; the page it opens
 * erases the order with its button; the order is then gone for the buyer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { CreatedOrder } from '../../lambdas/contract';
import { assertStrictCsp, hasChromium, launchBrowser, openPage, screenshots, seriousA11yViolations } from './support/browser';
import { startSite, waitForEmail, type Site } from './support/site';

describe.skipIf(!hasChromium)('"Delete my data" in a real browser', () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  /** An order with its preview ready, made over the API as the upload page makes it. */
  async function readyOrder(email: string): Promise<string> {
    const csv = 'name,age\nann,31\nbob,42\n';
    const created = await fetch(`${site.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, fileName: 'people.csv', size: Buffer.byteLength(csv), contentType: 'text/csv' }),
    });
    const order = (await created.json()) as CreatedOrder;
    const form = new FormData();
    for (const [key, value] of Object.entries(order.upload.fields)) form.append(key, value);
    form.append('file', new Blob([csv]), 'people.csv');
    await fetch(order.upload.url, { method: 'POST', body: form });
    await expect.poll(async () => ((await (await fetch(`${site.url}/api/orders/${order.orderId}`)).json()) as { job: string }).job, { timeout: 30_000 }).toBe('done');
    return order.orderId;
  }

  it('emails a confirmation link; opening it erases nothing; its button erases the order', { timeout: 180_000 }, async () => {
    // Prepare
    const email = 'erase.buyer@example.com';
    const orderId = await readyOrder(email);
    const opened = await openPage(browser, site.url);
    const { page, context, watch } = opened;
    await page.goto(`${site.url}/order.html?id=${orderId}`);
    await page.getByText('Free preview').first().waitFor({ timeout: 30_000 });

    // Act: ask for the erase on the order page
    await page.getByRole('button', { name: 'Delete my data' }).click();

    // Assess: the page says what happens next, and the order's address gets the link
    await page.getByText('We have emailed a confirmation link to the address of this order.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    const { match } = await waitForEmail(site.cloud, email, /https?:\/\/\S+\/erase\.html\?t=[A-Za-z0-9_-]{43}/);
    const link = match[0];

    // A mail scanner fetching the link gets a page and erases nothing.
    const scanned = await fetch(link);
    expect(scanned.status).toBe(200);
    expect((await fetch(`${site.url}/api/orders/${orderId}`)).status).toBe(200);

    // Act: the buyer opens the link and presses the button
    await page.goto(link);
    await page.getByRole('button', { name: 'Delete my data for good' }).waitFor();
    expect((await fetch(`${site.url}/api/orders/${orderId}`)).status).toBe(200);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'erase-confirm');
    await page.getByRole('button', { name: 'Delete my data for good' }).click();

    // Assess: erased, and the order page no longer finds the order
    await page.getByText('Your data has been deleted.').waitFor();
    await screenshots(page, 'erase-done');
    expect((await fetch(`${site.url}/api/orders/${orderId}`)).status).toBe(404);
    await page.goto(`${site.url}/order.html?id=${orderId}`);
    await page.getByText('We could not find this order.').waitFor();
    expect(watch.cspViolations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(assertStrictCsp(watch)).toEqual([]);
    await context.close();
  });

  it('says so when the link is unknown, without erasing anything', { timeout: 60_000 }, async () => {
    const opened = await openPage(browser, site.url);
    const { page, context } = opened;
    await page.goto(`${site.url}/erase.html?t=${'A'.repeat(43)}`);

    await page.getByRole('button', { name: 'Delete my data for good' }).click();

    await page.getByText('We do not recognise this link.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
