/**
 * Every page on its own: accessibility (axe-core, no serious or critical findings, at phone and
 * desktop sizes), the strict CSP with no violations, screenshots, the messages for broken links
 * and unknown orders, languages, the "Lost your link?" form and keyboard basics.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { assertStrictCsp, hasChromium, launchBrowser, openPage, screenshots, seriousA11yViolations, type OpenedPage } from './support/browser';
import { startSite, type Site } from './support/site';

describe.skipIf(!hasChromium)('each page on its own', { timeout: 120_000 }, () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  async function assertClean({ context, watch }: OpenedPage): Promise<void> {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(watch.documents.length).toBeGreaterThan(0);
    expect(assertStrictCsp(watch)).toEqual([]);
    await context.close();
  }

  it.each([
    { name: 'index', path: '/index.html', text: 'How it works' },
    { name: 'lookup', path: '/lookup.html', text: 'Enter the email address you used.' },
    { name: 'link-used-up', path: '/link.html?reason=used_up', text: 'has been used the maximum number of times' },
    { name: 'link-expired', path: '/link.html?reason=expired', text: 'This download link has expired.' },
    { name: 'link-revoked', path: '/link.html?reason=revoked', text: 'payment was refunded or disputed' },
    { name: 'link-unknown', path: '/link.html?reason=unknown', text: 'We do not recognise this download link.' },
    { name: 'link-bogus-reason', path: '/link.html?reason=%3Cscript%3E', text: 'We do not recognise this download link.' },
    { name: 'unsubscribe', path: `/unsubscribe.html?t=${'A'.repeat(22)}.${'B'.repeat(22)}`, text: 'Stop the occasional updates we email to our buyers.' },
    { name: 'unsubscribe-no-token', path: '/unsubscribe.html', text: 'We do not recognise this unsubscribe link.' },
    { name: 'order-missing-id', path: '/order.html', text: 'This page needs an order number.' },
    { name: 'order-not-found', path: `/order.html?id=${randomUUID()}`, text: 'We could not find this order.' },
    { name: 'order-malformed-id', path: '/order.html?id=..%2F..%2Fapi', text: 'We could not find this order.' },
    { name: 'order-unknown-session', path: '/order.html?session_id=cs_test_doesnotexist', text: 'We could not match this payment to an order.' },
  ])('$name: says "$text", passes axe, keeps to the CSP', async ({ name, path, text }) => {
    // Prepare
    const opened = await openPage(browser, site.url);

    // Act
    await opened.page.goto(`${site.url}${path}`);
    await opened.page.getByText(text).first().waitFor({ timeout: 15_000 });

    // Assess
    expect(await seriousA11yViolations(opened.page)).toEqual([]);
    await screenshots(opened.page, name);
    await assertClean(opened);
  });

  it('draws a typed preview: summary, chart and a capped column table', async () => {
    // Prepare: the profile processor's preview shape, served for a made-up order (the bundled
    // default processor infers no types, so the chart would otherwise never be drawn)
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    const orderId = randomUUID();
    const types = ['integer', 'decimal', 'string', 'date', 'boolean'];
    const columns = Array.from({ length: 50 }, (_, i) => ({ name: `col_${i + 1}`, type: types[i % 3 === 0 ? 2 : i % types.length] }));
    const preview = {
      kind: 'data-profile',
      schemaVersion: 1,
      rows: 1234567,
      columnCount: 60,
      format: 'csv',
      delimiter: 'semicolon',
      encoding: 'utf-8',
      hasHeader: true,
      columns,
      moreColumns: 10,
      warningCount: 3,
    };
    await page.route(`${site.url}/api/orders/${orderId}`, (route) =>
      route.fulfill({ json: { orderId, job: 'done', payment: 'unpaid', delivered: false, preview, payUrl: `${site.cloud.urls.stripe}/pay/plink_x` } }),
    );

    // Act
    await page.goto(`${site.url}/order.html?id=${orderId}`);
    await page.getByText('Your free preview is ready.').waitFor();

    // Assess: translated labels, bookkeeping keys hidden, numbers formatted
    const summary = await page.locator('dl.summary').innerText();
    expect(summary).toMatch(/Rows\s+1,234,567/);
    expect(summary).toMatch(/Columns\s+60/);
    expect(summary).toMatch(/Delimiter\s+Semicolon \(;\)/);
    expect(summary).toMatch(/Header row\s+Yes/);
    expect(summary).toMatch(/Data-quality warnings\s+3/);
    expect(summary).not.toMatch(/kind|schema|data-profile/i);
    // One bar per type, labelled for screen readers
    const chart = page.getByRole('img', { name: 'Columns by inferred type' });
    expect(await chart.locator('rect').count()).toBe(new Set(columns.map((c) => c.type)).size);
    expect(await chart.locator('desc').textContent()).toMatch(/^50 columns: string \d+, /);
    // The table lists what the preview lists, and says how many more the result has
    expect(await page.locator('table.columns tbody tr').count()).toBe(50);
    await page.getByText('…and 10 more in the full result.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-preview-typed');
    await assertClean(opened);
  });

  it('speaks Japanese to a Japanese browser, sends lang=ja with the order, and remembers a switch to English', async () => {
    // Prepare
    const opened = await openPage(browser, site.url, { locale: 'ja-JP' });
    const { page } = opened;
    const orderBodies: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/orders')) orderBodies.push(request.postDataJSON());
    });

    // Act
    await page.goto(`${site.url}/index.html`);

    // Assess: Japanese throughout, and the switch offers English in English
    await page.getByRole('heading', { name: 'ご利用の流れ' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
    const toggle = page.getByRole('button', { name: 'English' });
    expect(await toggle.getAttribute('lang')).toBe('en');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'index-ja');

    // Act: an order placed in Japanese
    await page.getByLabel('メールアドレス').fill('kei@example.jp');
    await page.getByLabel('ファイル', { exact: true }).setInputFiles({ name: '都市.csv', mimeType: 'text/csv', buffer: Buffer.from('都市,人口\n大阪,2691000\n') });
    await page.getByRole('button', { name: 'アップロードして分析' }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.getByText('無料プレビューの準備ができました。').waitFor({ timeout: 30_000 });

    // Assess
    expect(orderBodies).toEqual([expect.objectContaining({ lang: 'ja', fileName: '都市.csv', email: 'kei@example.jp' })]);
    await screenshots(page, 'order-preview-ja');

    // Act: switch to English, then reload and move to another page
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('Your free preview is ready.').waitFor();
    await page.reload();
    await page.getByText('Your free preview is ready.').waitFor();
    await page.goto(`${site.url}/lookup.html`);

    // Assess: the choice stuck
    await page.getByRole('heading', { name: 'Lost your link?', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await assertClean(opened);
  });

  it('unsubscribe: opening the page changes nothing; the button posts the token and says what happened', async () => {
    // Prepare: a token the shop did not sign
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    const posts: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/unsubscribe/')) posts.push(response.status());
    });
    await page.goto(`${site.url}/unsubscribe.html?t=${'A'.repeat(22)}.${'B'.repeat(22)}`);
    await page.getByRole('button', { name: 'Unsubscribe' }).waitFor();
    expect(posts).toEqual([]);

    // Act
    await page.getByRole('button', { name: 'Unsubscribe' }).click();

    // Assess
    await page.getByText('We do not recognise this unsubscribe link.').waitFor();
    expect(posts).toEqual([404]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await assertClean(opened);
  });

  it('"Lost your link?": checks the address, answers neutrally, and says when to slow down', async () => {
    // Prepare
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    const lookups: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/api/orders/lookup')) lookups.push(response.status());
    });
    await page.goto(`${site.url}/lookup.html`);
    const email = page.getByLabel('Your email');
    const submit = page.getByRole('button', { name: 'Email me my links' });

    // Act: a malformed address
    await email.fill('not-an-address');
    await submit.click();

    // Assess: caught in the page, nothing sent
    await page.getByText('Enter an email address like name@example.com.').waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(lookups).toEqual([]);

    // Act: a real one
    await email.fill('nobody@example.com');
    await submit.click();

    // Assess: the neutral answer, focused so screen readers hear it
    const sent = page.locator('#lookup-sent');
    await expect.poll(() => sent.innerText()).toBe(
      'If we have orders for nobody@example.com, we have emailed links to them. Check your inbox and spam folder.',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lookup-sent');
    expect(lookups).toEqual([202]);
    await screenshots(page, 'lookup-sent');

    // Act: keep asking until the API says 429 (the limit is the API's business, not the page's)
    const tooMany = page.getByText('Too many requests. Please wait a few minutes and try again.');
    for (let attempt = 0; attempt < 30 && !lookups.includes(429); attempt += 1) {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/orders/lookup'));
      await submit.click();
      await answered;
    }

    // Assess
    expect(lookups).toContain(429);
    await tooMany.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await assertClean(opened);
  });

  it('takes a file dropped onto the file field, with the same checks as the picker', async () => {
    // Prepare
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    await page.goto(`${site.url}/index.html`);
    await page.getByText('How it works').waitFor();

    // Act: drop a file the way a browser does (dragover, then drop with a DataTransfer)
    const dropped = await page.evaluate(() => {
      const zone = document.getElementById('file-field') as HTMLElement;
      const transfer = new DataTransfer();
      transfer.items.add(new File(['a,b\n1,2\n'], 'dropped.csv', { type: 'text/csv' }));
      const over = new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true });
      zone.dispatchEvent(over);
      const highlighted = zone.classList.contains('dragging');
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      const input = document.getElementById('file') as HTMLInputElement;
      return { accepted: over.defaultPrevented, highlighted, name: input.files?.[0]?.name, after: zone.classList.contains('dragging') };
    });

    // Assess
    expect(dropped).toEqual({ accepted: true, highlighted: true, name: 'dropped.csv', after: false });
    await assertClean(opened);
  });

  it('starts with a skip link for keyboard users', async () => {
    // Prepare
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    await page.goto(`${site.url}/index.html`);
    await page.getByText('How it works').waitFor();

    // Act
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');

    // Assess: the skip link came first and jumped past the header into the form
    expect(first).toBe('Skip to main content');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
    await assertClean(opened);
  });
});
