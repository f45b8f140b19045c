/**
 * The whole customer journey in a real browser against the local cloud: upload with a visible
 * progress bar, stages, free preview, pay on the (local) Stripe page, come back to the order
 * page, delivery, the emailed download link used up to its limit, and the friendly page after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  assertStrictCsp,
  hasChromium,
  launchBrowser,
  openPage,
  screenshots,
  seriousA11yViolations,
} from './support/browser';
import { payOnStripePage, startSite, waitForReturnFromStripe, TEST_CARDS, waitForEmail, type Site } from './support/site';

const ROWS = 30_000;

function peopleCsv(rows: number): string {
  const lines = ['id,name,signup_date,score,active,city'];
  const cities = ['Osaka', 'Lyon', 'Porto', 'Austin', 'Tartu'];
  for (let i = 1; i <= rows; i += 1) {
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(`${i},Person ${i},2024-03-${day},${(i * 7.3) % 100},${i % 3 === 0 ? 'true' : 'false'},${cities[i % cities.length]}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!hasChromium)('customer journey in a real browser', () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('uploads, previews, pays, delivers, and the emailed link stops after its limit', { timeout: 180_000 }, async () => {
    // Prepare
    const { context, page, watch } = await openPage(browser, site.url);
    const email = 'ann.customer@example.com';
    const csv = Buffer.from(peopleCsv(ROWS));
    const samples: { value: number; max: number }[] = [];
    await page.exposeFunction('recordUploadProgress', (value: number, max: number) => samples.push({ value, max }));

    // Act: the upload page
    await page.goto(`${site.url}/index.html`);
    await expect.poll(() => page.locator('#price-line').textContent()).toContain('$9.00');
    // The consent line says what is stored and for how long, before anything is sent.
    expect(await page.locator('#consent').textContent()).toMatch(/store your file, its results and your email address for 30 days/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'index');

    await page.evaluate(() => {
      const bar = document.getElementById('upload-progress');
      if (!(bar instanceof HTMLProgressElement)) throw new Error('no progress bar');
      const record = (window as unknown as { recordUploadProgress: (v: number, m: number) => void }).recordUploadProgress;
      new MutationObserver(() => record(bar.value, bar.max)).observe(bar, { attributes: true });
    });
    // Slow the upload down to a few hundred KB/s so the bar has something to show.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 800_000 });

    await page.getByLabel('Your email').fill(email);
    await page.getByLabel('Your file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByRole('button', { name: 'Upload and analyse' }).click();
    await expect.poll(() => page.locator('#upload-bytes').textContent()).toMatch(/ of .* sent \(\d+%\)/);
    await screenshots(page, 'index-uploading');
    await page.waitForURL(/\/order\.html\?id=/, { timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    // Assess: the bar moved through intermediate values and ended full
    expect(samples.some((s) => s.value > 0 && s.value < s.max)).toBe(true);
    expect(samples.at(-1)).toEqual({ value: csv.byteLength, max: csv.byteLength });
    const orderId = new URL(page.url()).searchParams.get('id');
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('#order-id').textContent()).toBe(orderId);

    // Act: the free preview
    await page.getByText('Your free preview is ready.').waitFor({ timeout: 30_000 });
    const preview = page.locator('#preview');
    await expect.poll(() => preview.isVisible()).toBe(true);
    const summary = await preview.locator('dl.summary').innerText();
    expect(summary).toMatch(/Rows\s+30,000/);
    const columnNames = await preview.locator('tbody th').allInnerTexts();
    expect(columnNames).toEqual(['id', 'name', 'signup_date', 'score', 'active', 'city']);
    expect(await page.locator('#steps [aria-current="step"]').innerText()).toContain('Payment');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-preview');

    // Act: pay on the Stripe page
    const payLink = page.getByRole('link', { name: 'Pay $9.00' });
    await payLink.click();
    await page.waitForURL((url) => url.href.startsWith(site.cloud.urls.stripe));
    await payOnStripePage(page, email, TEST_CARDS.ok);

    // Assess: back on our page with the order's own bookmarkable URL
    await waitForReturnFromStripe(page);
    expect(new URL(page.url()).searchParams.get('id')).toBe(orderId);
    await page.getByText(/Payment received/).first().waitFor();
    await page.getByText(/we have emailed the download link/).waitFor({ timeout: 30_000 });
    expect(await page.locator('#steps .step-done').count()).toBe(4);
    expect(await page.locator('#pay').isVisible()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-delivered');

    // Act: the emailed link, used up to its limit
    const { match } = await waitForEmail(site.cloud, email, /https?:\/\/[^\s"'<>]+\/d\/[A-Za-z0-9_-]+/);
    const link = match[0];
    for (let use = 1; use <= 5; use += 1) {
      const download = page.waitForEvent('download');
      // A download is not a navigation: goto rejects with "Download is starting".
      await page.goto(link).catch(() => undefined);
      const file = await download;
      expect(file.suggestedFilename().length).toBeGreaterThan(0);
      expect(await file.failure()).toBeNull();
    }
    await page.goto(link);

    // Assess: the sixth use lands on the friendly page
    expect(page.url()).toMatch(/\/link\.html\?reason=used_up$/);
    await page.getByText('This download link has been used the maximum number of times.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'link-used-up');

    expect(watch.cspViolations.filter((v) => v.startsWith(site.url))).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(assertStrictCsp(watch)).toEqual([]);
    await context.close();
  });
});
