/**
 * The delivered report in a real browser: an order placed, uploaded and paid through the local
 * cloud's real handlers (one per language), the link from the "ready" email followed to the
 * stored report.html and report.json, and the page opened at phone and desktop sizes with axe and
 * its own Content-Security-Policy (a meta element: the file is served by S3, not by our gateway).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hasChromium, launchBrowser, openPage, screenshots, seriousA11yViolations } from './support/browser';
import {
  createOrder,
  downloadLinkIn,
  payOnStripePage,
  startTestCloud,
  uploadFile,
  waitForEmails,
  waitForOrder,
  withPrefilledEmail,
  type CreatedOrder,
  type TestCloud,
} from '../integration/local-cloud';

const csv = ['city,visitors,revenue,opened', ...Array.from({ length: 200 }, (_, i) => `${['Osaka', 'Lyon', 'Porto'][i % 3]},${100 + ((i * 37) % 900)},"${1 + (i % 9)},${String((i * 131) % 1000).padStart(3, '0')}.50",2024-0${1 + (i % 9)}-1${i % 10}`)].join('\n') + '\n';

/** Follows the emailed link (one download taken) to the stored file's bytes. */
async function download(link: string): Promise<{ status: number; body: string; type: string }> {
  const redirect = await fetch(link, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const stored = await fetch(redirect.headers.get('location') as string);
  return { status: stored.status, body: await stored.text(), type: stored.headers.get('content-type') ?? '' };
}

describe.skipIf(!hasChromium)('the delivered report in a real browser', () => {
  let cloud: TestCloud;
  let browser: Browser;

  beforeAll(async () => {
    [cloud, browser] = await Promise.all([startTestCloud(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  it.each([
    ['en', 'en-US', 'Columns', /Generated/],
    ['ja', 'ja-JP', '列数', /作成日時/],
  ] as const)('%s: ordered, paid, emailed, downloaded, and readable and strict at phone and desktop sizes', { timeout: 180_000 }, async (lang, locale, columnsWord, generated) => {
    // Prepare: an order in the language, through the real handlers
    const email = `report-${lang}-${Date.now()}@example.com`;
    const created = await createOrder(cloud, { email, fileName: 'visits.csv', size: Buffer.byteLength(csv), contentType: 'text/csv', lang });
    expect(created.status).toBe(201);
    const order = (await created.json()) as CreatedOrder;
    expect((await uploadFile(order, 'visits.csv', csv)).status).toBeLessThan(300);
    const ready = await waitForOrder(cloud, order.orderId, (v) => v.job === 'done', 60_000);
    expect((await payOnStripePage(withPrefilledEmail(ready.payUrl as string, email), '4242 4242 4242 4242', email)).status).toBe(303);
    await waitForOrder(cloud, order.orderId, (v) => v.delivered, 30_000);

    // Act: the email's link and the report.json address it lists
    const [mail] = await waitForEmails(cloud, email, 1, 30_000);
    const link = mail ? downloadLinkIn(mail) : undefined;
    expect(link).toBeDefined();
    const text = mail?.body.text ?? '';
    expect(text).toContain(`${link}/report.json`);
    const html = await download(link as string);
    const json = await download(`${link}/report.json`);

    // Assess: both files, in the order's language
    expect(html.type).toContain('text/html');
    const report = JSON.parse(json.body) as { meta: { lang: string; orderId: string }; columns: Array<{ name: string; numberFormat: string | null }> };
    expect(report.meta).toMatchObject({ lang, orderId: order.orderId });
    expect(report.columns.find((c) => c.name === 'revenue')?.numberFormat).toBe('thousands_separators');

    const { context, page, watch } = await openPage(browser, cloud.urls.site, { locale });
    // The stored page at an address of its own, as the browser gets it (inline, not as a download).
    const address = `${cloud.urls.site}/report-under-test/${lang}.html`;
    await page.route(address, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html.body }));
    await page.goto(address);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await page.locator('body').innerText()).toMatch(generated);
    expect(await page.locator('body').innerText()).toContain(order.orderId);
    expect(await page.locator('body').innerText()).toContain(columnsWord);
    // Its own policy: no script at all, styles only by hash, nothing fetched from elsewhere.
    const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('[style]').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, `report-${lang}`);
    // Readable on a phone: nothing wider than the screen but the tables' own scrolling boxes.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    await context.close();
  });
});
