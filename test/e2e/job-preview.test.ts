/**
 * A job's preview.json on the order page in Chromium: the renderer picked by `kind: "job"` shows
 * the title, the facts and the table (at most 20 rows), with every value shown as text.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage } from './support/browser';
import { startSite, type Site } from './support/site';

const JOB = path.resolve(import.meta.dirname, '../fixtures/jobs/table-job');
let site: Site;
let browser: Browser;

if (!hasChromium) console.warn('job-preview.test.ts skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)');

describe.skipIf(!hasChromium)('a job preview on the order page', () => {
  beforeAll(async () => {
    site = await startSite({ job: JOB });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('shows the title, the facts and the first 20 rows of the table, escaped', async () => {
    const content = 'hello\n';
    const created = await fetch(`${site.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@example.com', fileName: 'notes <1>.txt', size: content.length }),
    });
    expect(created.status).toBe(201);
    const order = (await created.json()) as { orderId: string; upload: { url: string; fields: Record<string, string> } };
    const form = new FormData();
    for (const [key, value] of Object.entries(order.upload.fields)) form.append(key, value);
    form.append('file', new Blob([content]), 'notes <1>.txt');
    expect((await fetch(order.upload.url, { method: 'POST', body: form })).status).toBe(204);

    const { page, context, watch } = await openPage(browser, site.url);
    await page.goto(`${site.url}/order.html?id=${order.orderId}`);
    const preview = page.locator('#preview');
    await preview.waitFor({ state: 'visible', timeout: 30_000 });

    await expect.poll(() => preview.locator('h3').textContent()).toBe('Table <b>preview</b>');
    const facts = await preview.locator('dl.summary div').allTextContents();
    expect(facts).toEqual(['Rows25', 'Filenotes <1>.txt']);
    expect(await preview.locator('table thead th').allTextContents()).toEqual(['Name', 'Value']);
    const rows = preview.locator('table tbody tr');
    expect(await rows.count()).toBe(20);
    expect(await rows.nth(0).locator('td').first().textContent()).toBe('<img src=x onerror="document.title=\'pwned\'">');
    expect(await rows.nth(19).locator('td').allTextContents()).toEqual(['row 20', '20']);
    expect(await preview.locator('img, b').count()).toBe(0);
    expect(await preview.textContent()).toContain('Showing 20 of 25 rows.');
    expect(await page.title()).not.toBe('pwned');
    expect(watch.pageErrors).toEqual([]);
    await context.close();
  });
});
