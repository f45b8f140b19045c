/**
 * Payments that do not settle at once, seen from the order page: a bank debit that clears after
 * a while, one that fails (the order becomes payable again), a disputed card payment whose
 * emailed link then stops working, and a refund made in the Stripe Dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertStrictCsp, hasChromium, launchBrowser, openPage, screenshots, seriousA11yViolations, type OpenedPage } from './support/browser';
import { payOnStripePage, startSite, waitForReturnFromStripe, waitForEmail, type Site } from './support/site';

/** Stripe's SEPA test IBANs and dispute card, as the stand-in knows them. */
const IBAN_SETTLES = 'DE89 3704 0044 0532 0130 00';
const IBAN_FAILS = 'DE62 3704 0044 0532 0130 01';
const CARD_DISPUTED = '4000 0000 0000 0259';

/** A call to the Stripe stand-in's API, with the throwaway test key startLocalCloud put in STRIPE_SECRET_KEY. */
async function stripeApi<T>(stripeUrl: string, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<T> {
  const response = await fetch(new URL(path, stripeUrl), {
    method,
    headers: { authorization: `Bearer ${process.env.STRIPE_SECRET_KEY ?? ''}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** How many events of `type` the Stripe stand-in has delivered to every endpoint. */
async function deliveredEvents(stripeUrl: string, type: string): Promise<number> {
  const stripe = new URL('/v1/events', stripeUrl);
  stripe.searchParams.set('type', type);
  stripe.searchParams.set('delivery_success', 'true');
  // startLocalCloud put the stand-in's throwaway test key in STRIPE_SECRET_KEY.
  const response = await fetch(stripe, { headers: { authorization: `Bearer ${process.env.STRIPE_SECRET_KEY ?? ''}` } });
  const body = (await response.json()) as { data?: unknown[] };
  return body.data?.length ?? 0;
}

describe.skipIf(!hasChromium)('payments that settle later, fail later, or are disputed', { timeout: 120_000 }, () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite({ stripe: { settleAfterMs: 4_000, disputeAfterMs: 3_000 } }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  /** Upload a small CSV as `email`, wait for the preview, go to Stripe and pay with `method`. */
  async function orderAndPay(page: Page, email: string, method: string): Promise<string> {
    await page.goto(`${site.url}/index.html`);
    await page.getByLabel('Your email').fill(email);
    await page.getByLabel('Your file').setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: Buffer.from('region,amount\nnorth,120\nsouth,95\n') });
    await page.getByRole('button', { name: 'Upload and analyse' }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    const orderId = new URL(page.url()).searchParams.get('id') ?? '';
    await page.getByRole('link', { name: 'Pay $9.00' }).click();
    await page.waitForURL((url) => url.href.startsWith(site.cloud.urls.stripe));
    await payOnStripePage(page, email, method);
    await waitForReturnFromStripe(page);
    return orderId;
  }

  async function assertClean({ context, watch }: OpenedPage): Promise<void> {
    expect(watch.cspViolations.filter((v) => v.startsWith(site.url))).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(assertStrictCsp(watch)).toEqual([]);
    await context.close();
  }

  it('a bank debit: "being confirmed by your bank", then delivered', async () => {
    // Prepare
    const opened = await openPage(browser, site.url);
    const { page } = opened;

    // Act
    await orderAndPay(page, 'dee@example.com', IBAN_SETTLES);

    // Assess: pending first, no second Pay button, then delivery
    await page.getByText('Your payment is being confirmed by your bank.', { exact: false }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#pay').isVisible()).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-payment-pending');
    await page.getByText(/we have emailed the download link/).waitFor({ timeout: 30_000 });
    await assertClean(opened);
  });

  it('a bank debit that fails: the order is payable again, and says why', async () => {
    // Prepare
    const opened = await openPage(browser, site.url);
    const { page } = opened;

    // Act
    await orderAndPay(page, 'eve@example.com', IBAN_FAILS);
    await page.getByText('Your payment is being confirmed by your bank.', { exact: false }).waitFor({ timeout: 15_000 });

    // Assess
    await page.getByText('Your bank payment did not go through', { exact: false }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('link', { name: 'Pay $9.00' }).isVisible()).toBe(true);
    expect(await page.locator('#steps [aria-current="step"]').innerText()).toContain('Payment');
    await screenshots(page, 'order-payment-failed');
    await assertClean(opened);
  });

  it('a disputed payment: the emailed link is revoked and says so', async () => {
    // Prepare
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    const email = 'fay@example.com';

    // Act
    await orderAndPay(page, email, CARD_DISPUTED);
    const orderUrl = page.url();
    await page.getByText(/we have emailed the download link/).waitFor({ timeout: 30_000 });
    const { match } = await waitForEmail(site.cloud, email, /https?:\/\/[^\s"'<>]+\/d\/[A-Za-z0-9_-]+/);
    const link = match[0];

    // Assess: once the dispute has reached our webhook (asked of Stripe, not of the link: every
    // request to the link would use up one of its downloads), the link leads to "revoked"
    await expect.poll(() => deliveredEvents(site.cloud.urls.stripe, 'charge.dispute.created'), { timeout: 20_000, interval: 500 }).toBeGreaterThan(0);
    await page.goto(link);
    expect(page.url()).toMatch(/\/link\.html\?reason=revoked$/);
    await page.getByText('This download link was cancelled because the payment was refunded or disputed.').waitFor();
    // No fresh links offered: the lookup sends none for a disputed payment
    expect(await page.getByRole('link', { name: 'Email me my order links' }).isVisible()).toBe(false);

    // Assess: the order page says so instead of four completed steps
    await page.goto(orderUrl);
    await page.getByText('This payment is disputed with your bank.').waitFor({ timeout: 15_000 });
    expect(await page.locator('#steps .step-name').allInnerTexts()).toEqual(['File received', 'Free preview', 'Payment disputed']);
    await screenshots(page, 'order-disputed-real');
    await assertClean(opened);
  });

  it('a refund in the Stripe Dashboard: refund email, "Refunded" on the order page, the link revoked, no fresh link by lookup', async () => {
    // Prepare: a paid, delivered order
    const opened = await openPage(browser, site.url);
    const { page } = opened;
    const email = 'gus@example.com';
    const orderId = await orderAndPay(page, email, '4242 4242 4242 4242');
    const orderUrl = page.url();
    await page.getByText(/we have emailed the download link/).waitFor({ timeout: 30_000 });
    const { match } = await waitForEmail(site.cloud, email, /https?:\/\/[^\s"'<>]+\/d\/[A-Za-z0-9_-]+/);
    const sessions = await stripeApi<{ data: { client_reference_id: string | null; payment_intent: string | null }[] }>(site.cloud.urls.stripe, 'GET', '/v1/checkout/sessions?limit=100');
    const paymentIntent = sessions.data.find((session) => session.client_reference_id === orderId)?.payment_intent;
    expect(paymentIntent).toMatch(/^pi_/);

    // Act: the operator refunds in the Dashboard (Stripe's API, not uplock's): only charge.refunded tells us
    await stripeApi(site.cloud.urls.stripe, 'POST', '/v1/refunds', { payment_intent: paymentIntent ?? '' });

    // Assess: the buyer is emailed, and the order page says "Refunded", not a completed payment
    await waitForEmail(site.cloud, email, /We have refunded your payment for this order in full/);
    await page.goto(orderUrl);
    await page.getByText('Your payment has been refunded.').waitFor({ timeout: 15_000 });
    expect(await page.locator('#steps .step-name').allInnerTexts()).toEqual(['File received', 'Free preview', 'Refunded']);
    expect(await page.locator('#status-detail').innerText()).toBe('Its download links no longer work.');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'order-refunded-real');

    // Assess: the emailed link is revoked, and its page offers no fresh links
    await page.goto(match[0]);
    expect(page.url()).toMatch(/\/link\.html\?reason=revoked$/);
    await page.getByText('A refunded or disputed payment gets no new download links.').waitFor();
    expect(await page.getByRole('link', { name: 'Email me my order links' }).isVisible()).toBe(false);

    // Act: the buyer asks for their links anyway
    const lookup = await fetch(`${site.url}/api/orders/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    expect(lookup.status).toBe(202);

    // Assess: the order is listed as refunded, with no download link
    const { email: lookupMail } = await waitForEmail(site.cloud, email, /Someone \(we hope you\) asked for the orders/);
    expect(lookupMail.text).toContain(`sales.csv (`);
    expect(lookupMail.text).toMatch(/sales\.csv \([0-9-]+\): refunded/);
    expect(lookupMail.text).not.toContain('/d/');
    await assertClean(opened);
  });
});
