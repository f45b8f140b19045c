/**
 * What the customer sees when things go wrong: files refused before anything is sent, a job
 * that fails, a connection that drops mid-upload (retry re-uses the same order), a cancelled
 * upload (back to the chooser; the same file re-uses the order), and a declined card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertStrictCsp, hasChromium, launchBrowser, openPage, screenshots, seriousA11yViolations, type OpenedPage } from './support/browser';
import { payOnStripePage, startSite, TEST_CARDS, type Site } from './support/site';

const LIMIT = 200_000;
const smallCsv = 'city,population\nOsaka,2691000\nLyon,522250\nPorto,231800\n';

async function fillForm(page: Page, file: { name: string; buffer: Buffer; mimeType?: string }): Promise<void> {
  await page.getByLabel('Your email').fill('bo@example.com');
  await page.getByLabel('Your file').setInputFiles({ mimeType: 'text/csv', ...file });
  await page.getByRole('button', { name: 'Upload and analyse' }).click();
}

describe.skipIf(!hasChromium)('failures the customer can meet', { timeout: 120_000 }, () => {
  let site: Site;
  let browser: Browser;
  let opened: OpenedPage;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite({ config: { maxUploadBytes: LIMIT } }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  async function freshPage(): Promise<OpenedPage> {
    opened = await openPage(browser, site.url);
    await opened.page.goto(`${site.url}/index.html`);
    await expect.poll(() => opened.page.locator('#file-hint').textContent()).toContain('.csv');
    return opened;
  }

  async function assertCleanPage(): Promise<void> {
    expect(opened.watch.cspViolations.filter((v) => v.startsWith(site.url))).toEqual([]);
    expect(opened.watch.pageErrors).toEqual([]);
    expect(assertStrictCsp(opened.watch)).toEqual([]);
    await opened.context.close();
  }

  it.each([
    { label: 'wrong extension', file: { name: 'notes.pdf', buffer: Buffer.from('hello') }, message: /“notes\.pdf” is not a \.csv.* file/ },
    { label: 'oversize', file: { name: 'big.csv', buffer: Buffer.alloc(LIMIT + 1, 'a,b\n') }, message: /^“big\.csv” is 200,001 bytes; the limit is 200,000 bytes\.$/ },
    { label: 'empty', file: { name: 'empty.csv', buffer: Buffer.alloc(0) }, message: /“empty\.csv” is empty/ },
  ])('refuses a file before sending anything: $label', async ({ label, file, message }) => {
    // Prepare
    const { page } = await freshPage();
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') apiCalls.push(request.url());
    });

    // Act
    await fillForm(page, file);

    // Assess
    const error = page.locator('#file-error');
    await expect.poll(() => error.textContent()).toMatch(message);
    expect(await page.getByLabel('Your file').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('file');
    expect(apiCalls).toEqual([]);
    if (label === 'oversize') {
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshots(page, 'index-file-refused');
    }
    await assertCleanPage();
  });

  it('shows why the job failed, and that nothing was charged', async () => {
    // Prepare: "CSV" that is really binary
    const { page } = await freshPage();
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));

    // Act
    await fillForm(page, { name: 'export.csv', buffer: binary });
    await page.waitForURL(/\/order\.html\?id=/);
    await page.getByText('We could not process your file.').waitFor({ timeout: 30_000 });

    // Assess
    const detail = await page.locator('#status-detail').innerText();
    expect(detail).toMatch(/^Reason: .+/);
    expect(detail).toContain('You have not been charged.');
    expect(await page.locator('#pay').isVisible()).toBe(false);
    expect(await page.locator('#steps .step-failed').first().innerText()).toContain('Free preview');
    // Nothing was charged and nothing will be emailed: no payment or "Result emailed" step at all
    expect(await page.locator('#steps .step-name').allInnerTexts()).toEqual(['File received', 'Free preview']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-failed');
    await assertCleanPage();
  });

  it('tells the customer when the connection drops mid-upload, and retry re-uses the order', async () => {
    // Prepare: the first POST to S3 dies on the wire
    const { page } = await freshPage();
    const s3 = site.cloud.urls.s3;
    const orderPosts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/orders')) orderPosts.push(request.url());
    });
    await page.route(`${s3}/**`, (route) => route.abort('internetdisconnected'));

    // Act
    await fillForm(page, { name: 'cities.csv', buffer: Buffer.from(smallCsv) });
    const error = page.locator('#upload-error');
    await error.waitFor();

    // Assess: a message, focus on the retry button, no retry offered twice
    expect(await error.innerText()).toBe('The upload was interrupted. Check your connection, then try again.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('upload-retry');
    expect(await page.locator('#upload-cancel').isVisible()).toBe(false);
    const shownOrder = (await page.locator('#upload-order').innerText()).replace('Order number: ', '');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'index-upload-failed');

    // Act: the connection is back
    await page.unroute(`${s3}/**`);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.waitForURL(/\/order\.html\?id=/);

    // Assess: same order, no second order created, and it gets processed
    expect(new URL(page.url()).searchParams.get('id')).toBe(shownOrder);
    expect(orderPosts).toHaveLength(1);
    await page.getByText('Your free preview is ready.').waitFor({ timeout: 30_000 });
    await assertCleanPage();
  });

  it('says the upload window expired instead of sending into a refused POST', async () => {
    // Prepare: the API's answer as it would look after a long pause (the servers cannot be
    // made to wait 30 minutes, so only the timestamp is rewritten)
    const { page } = await freshPage();
    const s3Posts: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(site.cloud.urls.s3)) s3Posts.push(request.url());
    });
    await page.route(`${site.url}/api/orders`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...body, uploadExpiresAt: new Date(Date.now() - 1000).toISOString() } });
    });

    // Act
    await fillForm(page, { name: 'cities.csv', buffer: Buffer.from(smallCsv) });

    // Assess: nothing sent, only "Start again" offered, and it brings the form back
    const error = page.locator('#upload-error');
    await expect.poll(() => error.textContent()).toBe('This upload window has expired. Please start again.');
    expect(s3Posts).toEqual([]);
    expect(await page.locator('#upload-retry').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('upload-restart');
    await page.getByRole('button', { name: 'Start again' }).click();
    expect(await page.getByLabel('Your email').isVisible()).toBe(true);
    await assertCleanPage();
  });

  it('reports a storage refusal with its status and lets the customer retry', async () => {
    // Prepare: S3 says no once (the local S3 enforces no policy, so the refusal is staged)
    const { page } = await freshPage();
    let refusals = 0;
    await page.route(`${site.cloud.urls.s3}/**`, async (route) => {
      if (refusals > 0) return route.fallback();
      refusals += 1;
      return route.fulfill({ status: 400, contentType: 'application/xml', body: '<Error><Code>EntityTooLarge</Code></Error>' });
    });

    // Act
    await fillForm(page, { name: 'cities.csv', buffer: Buffer.from(smallCsv) });

    // Assess
    const error = page.locator('#upload-error');
    await expect.poll(() => error.textContent()).toBe('The storage service refused the file (status 400). Try again, or start again.');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await assertCleanPage();
  });

  it('cancels an upload in flight back to the chooser, and the same file then goes to the same order', async () => {
    // Prepare: a slow line, so there is time to cancel
    const { context, page } = await freshPage();
    const orderPosts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/orders')) orderPosts.push(request.url());
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 20_000 });
    const rows = Array.from({ length: 6000 }, (_, i) => `${i},row ${i}`).join('\n');

    // Act
    await fillForm(page, { name: 'slow.csv', buffer: Buffer.from(`id,label\n${rows}\n`) });
    await page.getByRole('heading', { name: 'Uploading “slow.csv”' }).waitFor();
    const shownOrder = (await page.locator('#upload-order').innerText()).replace('Order number: ', '');
    await page.getByRole('button', { name: 'Cancel upload' }).click();

    // Assess: the chooser again, with the email and file as they were, and no "Uploading …" left
    await page.getByText('Upload cancelled. Your file was not sent.').waitFor();
    expect(page.url()).toMatch(/\/index\.html$/);
    expect(await page.locator('#upload-section').isVisible()).toBe(false);
    expect(await page.locator('main').innerText()).not.toContain('Uploading');
    expect(await page.getByRole('button', { name: 'Upload and analyse' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Your email').inputValue()).toBe('bo@example.com');
    expect(await page.getByLabel('Your file').evaluate((input) => (input as HTMLInputElement).files?.[0]?.name)).toBe('slow.csv');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('submit');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'index-upload-cancelled');

    // Act: full speed again, send the same file
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.getByRole('button', { name: 'Upload and analyse' }).click();
    await page.waitForURL(/\/order\.html\?id=/);

    // Assess: the order made before Cancel, not a second one, and it is processed
    expect(new URL(page.url()).searchParams.get('id')).toBe(shownOrder);
    expect(orderPosts).toHaveLength(1);
    await page.getByText('Your free preview is ready.').waitFor({ timeout: 30_000 });
    await assertCleanPage();
  });

  it('keeps the order payable after a declined card', async () => {
    // Prepare
    const { page } = await freshPage();
    await fillForm(page, { name: 'cities.csv', buffer: Buffer.from(smallCsv) });
    await page.waitForURL(/\/order\.html\?id=/);
    const orderUrl = page.url();
    const payLink = page.getByRole('link', { name: 'Pay $9.00' });
    await payLink.waitFor({ timeout: 30_000 });

    // Act
    await payLink.click();
    await page.waitForURL((url) => url.href.startsWith(site.cloud.urls.stripe));
    await payOnStripePage(page, 'bo@example.com', TEST_CARDS.declined);

    // Assess: Stripe's page says so, and our order still waits for payment
    await page.getByRole('alert').filter({ hasText: 'Your card was declined.' }).waitFor();
    expect(page.url().startsWith(site.cloud.urls.stripe)).toBe(true);
    await page.goto(orderUrl);
    await page.getByText('Your free preview is ready.').waitFor();
    expect(await page.getByRole('link', { name: 'Pay $9.00' }).isVisible()).toBe(true);
    await assertCleanPage();
  });
});
