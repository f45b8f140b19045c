/**
 * What the buyer sees (issue 13): the order page of an order that ends without a result (refund,
 * dispute, failed job) has no completed payment and no "Result emailed" step; the order page is
 * never blank nor shows the wrong brand before its script has run; the revoked-link page offers no
 * fresh links; sizes read in binary units and the file kinds come from the config, in English and
 * Japanese. Order views are served by page.route where the local cloud would need days (a dispute
 * settling) or an exact state; payments.test.ts drives the same pages through real refunds and disputes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import type { OrderView } from '../../lambdas/contract';
import { assertStrictCsp, hasChromium, launchBrowser, openPage, screenshots, seriousA11yViolations, type OpenedPage } from './support/browser';
import { startSite, type Site } from './support/site';

/** The default limit of the local cloud (local/runtime-config.ts): 50 MiB. */
const FIFTY_MIB = 50 * 1024 * 1024;

interface StepSeen {
  name: string;
  state: string;
}

async function stepsOf(page: Page): Promise<StepSeen[]> {
  return page.locator('#steps li').evaluateAll((items) =>
    items.map((item) => ({
      name: item.querySelector('.step-name')?.textContent ?? '',
      state: [...item.classList].find((c) => c.startsWith('step-'))?.slice('step-'.length) ?? '',
    })),
  );
}

describe.skipIf(!hasChromium)('what the buyer sees', { timeout: 120_000 }, () => {
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
    expect(watch.cspViolations.filter((v) => v.startsWith(site.url))).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(assertStrictCsp(watch)).toEqual([]);
    await context.close();
  }

  /** Opens the order page of a made-up order whose view is `view`. */
  async function orderPage(view: Omit<OrderView, 'orderId'>, locale?: string): Promise<OpenedPage> {
    const opened = await openPage(browser, site.url, locale ? { locale } : {});
    const orderId = randomUUID();
    await opened.page.route(`${site.url}/api/orders/${orderId}`, (route) => route.fulfill({ json: { orderId, ...view } }));
    await opened.page.goto(`${site.url}/order.html?id=${orderId}`);
    await opened.page.locator('#steps li').first().waitFor();
    return opened;
  }

  it.each([
    {
      name: 'refunded-after-delivery',
      view: { job: 'done', payment: 'refunded', delivered: true },
      steps: [['File received', 'done'], ['Free preview', 'done'], ['Refunded', 'ended']],
      main: 'Your payment has been refunded.',
      detail: 'Its download links no longer work.',
    },
    {
      name: 'refunded-before-delivery',
      view: { job: 'done', payment: 'refunded', delivered: false },
      steps: [['File received', 'done'], ['Free preview', 'done'], ['Refunded', 'ended']],
      main: 'Your payment has been refunded.',
      detail: '',
    },
    {
      name: 'disputed',
      view: { job: 'done', payment: 'paid', delivered: true, disputed: true },
      steps: [['File received', 'done'], ['Free preview', 'done'], ['Payment disputed', 'ended']],
      main: 'This payment is disputed with your bank.',
      detail: 'The download links are stopped while the dispute is settled.',
    },
    {
      name: 'failed-unpaid',
      view: { job: 'failed', payment: 'unpaid', delivered: false, error: { code: 'not_text', message: 'This is not a text file.' } },
      steps: [['File received', 'done'], ['Free preview', 'failed']],
      main: 'We could not process your file.',
      detail: 'Reason: This is not a text file. You have not been charged.',
    },
    {
      name: 'failed-paid',
      view: { job: 'failed', payment: 'paid', delivered: false, error: { code: 'not_text', message: 'This is not a text file.' } },
      steps: [['File received', 'done'], ['Free preview', 'failed'], ['Refund on its way', 'current']],
      main: 'We could not process your file.',
      detail: 'Reason: This is not a text file. Your payment is being refunded automatically.',
    },
    {
      name: 'failed-refunded',
      view: { job: 'failed', payment: 'refunded', delivered: false, error: { code: 'not_text', message: 'This is not a text file.' } },
      steps: [['File received', 'done'], ['Free preview', 'failed'], ['Refunded', 'ended']],
      main: 'We could not process your file.',
      detail: 'Reason: This is not a text file. Your payment has been refunded.',
    },
    {
      name: 'failed-refund-refused',
      view: { job: 'failed', payment: 'paid', delivered: false, refundRefused: true, error: { code: 'not_text', message: 'This is not a text file.' } },
      steps: [['File received', 'done'], ['Free preview', 'failed'], ['Refund by the shop', 'current']],
      main: 'We could not process your file.',
      detail: 'Reason: This is not a text file. We could not refund your payment automatically. The shop has been alerted and will refund it to you',
    },
  ] as const)('$name: no completed payment, no "Result emailed" step, says what happened', async ({ name, view, steps, main, detail }) => {
    // Act
    const opened = await orderPage(view);
    const { page } = opened;
    await expect.poll(() => page.locator('#status-main').textContent()).toBe(main);

    // Assess
    expect(await stepsOf(page)).toEqual(steps.map(([stepName, state]) => ({ name: stepName, state })));
    expect(await page.locator('#steps').innerText()).not.toContain('Result emailed');
    expect(await page.locator('#steps .step-done').allInnerTexts()).not.toContainEqual(expect.stringContaining('Payment'));
    if (detail) expect(await page.locator('#status-detail').innerText()).toContain(detail);
    else expect(await page.locator('#status-detail').isVisible()).toBe(false);
    // A payment arrived: the page never claims there was no charge.
    if (view.payment !== 'unpaid') expect(await page.locator('main').innerText()).not.toContain('not been charged');
    expect(await page.locator('#pay').isVisible()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, `order-${name}`);
    await assertClean(opened);
  });

  it('says "Refunded" in Japanese too', async () => {
    // Act
    const opened = await orderPage({ job: 'done', payment: 'refunded', delivered: true }, 'ja-JP');
    const { page } = opened;
    await expect.poll(() => page.locator('#status-main').textContent()).toBe('お支払いは返金されました。');

    // Assess
    expect((await stepsOf(page)).map((step) => step.name)).toEqual(['ファイル受領', '無料プレビュー', '返金済み']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-refunded-ja');
    await assertClean(opened);
  });

  it('a paid, delivered order still shows four completed steps', async () => {
    // Act
    const opened = await orderPage({ job: 'done', payment: 'paid', delivered: true });

    // Assess: the unchanged happy path, for contrast with the cases above
    expect(await stepsOf(opened.page)).toEqual(
      ['File received', 'Free preview', 'Payment', 'Result emailed'].map((stepName) => ({ name: stepName, state: 'done' })),
    );
    await assertClean(opened);
  });

  it('the order page shows loading shapes, not a blank page or a wrong brand, before its script and its order arrive', async () => {
    // Prepare: hold the page's scripts, then the order, to look at each state as it is first drawn
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    const orderId = randomUUID();
    let releaseScripts: () => void = () => undefined;
    const scriptsHeld = new Promise<void>((resolve) => (releaseScripts = resolve));
    await page.route(/\/assets\/.*\.js$/, async (route: Route) => {
      await scriptsHeld;
      await route.continue();
    });
    let releaseOrder: () => void = () => undefined;
    const orderHeld = new Promise<void>((resolve) => (releaseOrder = resolve));
    let orderAsked = false;
    await page.route(`${site.url}/api/orders/${orderId}`, async (route) => {
      orderAsked = true;
      await orderHeld;
      await route.fulfill({ json: { orderId, job: 'done', payment: 'refunded', delivered: true } });
    });

    // Act: the static HTML alone (its stylesheet loaded, its script not yet)
    // (not 'domcontentloaded': that waits for the module script, which is held)
    await page.goto(`${site.url}/order.html?id=${orderId}`, { waitUntil: 'commit' });
    // Visible only once the stylesheet applies (an unstyled empty span has no size)
    await expect.poll(() => page.locator('#order-skeleton .skeleton-step').first().isVisible()).toBe(true);

    // Assess: shapes and "Loading your order…", no product name that is not the shop's, no steps
    await screenshots(page, 'order-first-paint');
    const firstPaint = await page.locator('body').innerText();
    expect(firstPaint).toContain('Loading your order…');
    expect(firstPaint).not.toMatch(/uplock/i);
    expect(await page.locator('#order-skeleton .skeleton-step').count()).toBe(4);
    expect(await page.locator('#order-body').isVisible()).toBe(false);
    // The brand is a grey shape named "Home" for screen readers until the shop's name arrives
    expect(await page.locator('.brand').textContent()).toBe('Home');

    // Act: the script runs; the order is still on its way
    releaseScripts();
    await expect.poll(() => orderAsked).toBe(true);
    await expect.poll(() => page.locator('.brand').innerText()).toBe(site.cloud.config.product.name);

    // Assess: still the shapes, no guessed steps or status
    expect(await page.locator('#order-skeleton').isVisible()).toBe(true);
    expect(await page.locator('#order-body').isVisible()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Act: the order arrives
    releaseOrder();
    await page.getByText('Your payment has been refunded.').waitFor();

    // Assess: the shapes are gone, the order is drawn
    expect(await page.locator('#order-skeleton').isVisible()).toBe(false);
    expect((await stepsOf(page)).map((step) => step.name)).toEqual(['File received', 'Free preview', 'Refunded']);
    await assertClean(opened);
  });

  it('without JavaScript the order page says so and shows no loading shapes', async () => {
    // Prepare
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    // Act
    await page.goto(`${site.url}/order.html?id=${randomUUID()}`);

    // Assess: noscript.css hides what only the script would replace (Playwright's text locators
    // skip <noscript>, so the rendered text is read whole)
    const text = await page.locator('body').innerText();
    expect(text).toContain('This page needs JavaScript');
    expect(text).not.toContain('Loading your order…');
    expect(await page.locator('#order-skeleton').isVisible()).toBe(false);
    await context.close();
  });

  it.each([
    { reason: 'revoked', text: 'This download link was cancelled because the payment was refunded or disputed.', offersLookup: false },
    { reason: 'used_up', text: 'This download link has been used the maximum number of times.', offersLookup: true },
    { reason: 'expired', text: 'This download link has expired.', offersLookup: true },
  ])('link page, $reason: offers fresh links only where the lookup would send one ($offersLookup)', async ({ reason, text, offersLookup }) => {
    // Act
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    await page.goto(`${site.url}/link.html?reason=${reason}`);
    await page.getByText(text).waitFor();

    // Assess
    const lookupButton = page.getByRole('link', { name: 'Email me my order links' });
    expect(await lookupButton.isVisible()).toBe(offersLookup);
    expect(await page.getByText('fresh download links for paid ones').isVisible()).toBe(offersLookup);
    expect(await page.getByText('A refunded or disputed payment gets no new download links.').isVisible()).toBe(!offersLookup);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, `link-${reason}-help`);
    await assertClean(opened);
  });

  it.each([
    { locale: 'en-US', hint: 'up to 50 MiB.', step1: 'Upload your CSV, TSV, text, JSON Lines, or JSON file.' },
    { locale: 'ja-JP', hint: '50 MiB まで。', step1: 'CSV、TSV、テキスト、JSON Lines、またはJSON ファイルをアップロードします。' },
  ])('upload page ($locale): the limit in binary units, the file kinds from the config', async ({ locale, hint, step1 }) => {
    // Act
    const opened = await openPage(browser, site.url, { locale });
    const { page } = opened;
    await page.goto(`${site.url}/index.html`);
    await expect.poll(() => page.locator('#file-hint').textContent()).toContain(hint);

    // Assess
    expect(site.cloud.config.maxUploadBytes).toBe(FIFTY_MIB);
    expect(await page.locator('#how-step1').textContent()).toBe(step1);
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/52\.4|\bMB\b|of your CSV/);
    expect(await page.locator('h1').innerText()).toBe(site.cloud.config.product.name);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await assertClean(opened);
  });

  it("upload page: a custom job's extensions name its own file kinds", async () => {
    // Prepare: the config a job accepting .txt and .md files serves
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    await page.route(`${site.url}/api/config`, async (route) => {
      const response = await route.fetch();
      const config = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...config, acceptedExtensions: ['.txt', '.md'], maxUploadBytes: 1536 } });
    });

    // Act
    await page.goto(`${site.url}/index.html`);
    await expect.poll(() => page.locator('#how-step1').textContent()).toBe('Upload your text or MD file.');

    // Assess
    expect(await page.locator('#file-hint').textContent()).toBe('.txt, .md files, up to 1.5 KiB.');
    await assertClean(opened);
  });

  it('the API says the limit in binary units too', async () => {
    // Act
    const response = await fetch(`${site.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'big@example.com', fileName: 'big.csv', size: FIFTY_MIB + 1 }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'file_too_large', message: 'The file is larger than the limit of 50 MiB.' } });
  });
});
