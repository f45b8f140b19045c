/**
 * The customer-facing side: `/pay/<plink id>` (Payment Link page) and `/c/pay/<cs id>`
 * (a Checkout Session's `url`). Both take the same form and the same test payment methods.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StripeEngine } from './engine.js';
import { renderPaymentPage, escapeHtml, type PaymentPageView } from './hosted-page.js';
import { readBody, redirect, sendHtml } from './http-util.js';
import { describeLineItems, totalAmount } from './line-items.js';
import { makeCheckoutSession, type CheckoutSession, type LineItemSpec } from './objects.js';
import { identifyTestPaymentMethod, isRefusal } from './test-payment-methods.js';

/**
 * Stripe's rule for `client_reference_id` on Payment Link URLs: letters, digits, `-` and `_`, at
 * most 200 characters. Stripe silently drops an invalid value and the page still works.
 */
export function validClientReferenceId(value: string | null | undefined): string | null {
  if (!value) return null;
  return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : null;
}

/** The origin a successful payment redirects to, for the page's `form-action`. */
function redirectOrigin(template: string | null): string[] {
  if (!template) return [];
  try {
    return [new URL(template.replaceAll('{CHECKOUT_SESSION_ID}', 'x')).origin];
  } catch {
    return [];
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the page shows about the sale: one item as "quantity × unit", several as one total. */
function saleFor(engine: StripeEngine, specs: LineItemSpec[]): Pick<PaymentPageView, 'productName' | 'amount' | 'quantity' | 'currency'> {
  const first = specs[0];
  const price = first ? engine.data.prices[first.price] : undefined;
  const single = specs.length === 1 && first && price;
  return {
    productName: describeLineItems(engine, specs),
    amount: single ? price.unit_amount : totalAmount(engine, specs),
    quantity: single ? first.quantity : 1,
    currency: price?.currency ?? 'usd',
  };
}

function notFound(res: ServerResponse, what: string): void {
  sendHtml(res, 404, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><h1>${escapeHtml(what)} not found</h1></body></html>`);
}

function confirmationPage(message: string | null): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thanks for your payment</title></head><body><main><h1>Thanks for your payment</h1>${
    message ? `<p>${escapeHtml(message)}</p>` : ''
  }</main></body></html>`;
}

export async function handleHostedPage(engine: StripeEngine, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const link = /^\/pay\/([^/]+)$/.exec(url.pathname);
  const sessionPage = /^\/c\/pay\/([^/]+)$/.exec(url.pathname);
  if (!link && !sessionPage) return false;
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return true;
  }
  if (link) await paymentLinkPage(engine, req, res, url, link[1] ?? '');
  else await sessionPageHandler(engine, req, res, url, sessionPage?.[1] ?? '');
  return true;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req, 64 * 1024));
}

async function paymentLinkPage(engine: StripeEngine, req: IncomingMessage, res: ServerResponse, url: URL, id: string): Promise<void> {
  const paymentLink = engine.data.paymentLinks[id];
  const specs = engine.data.paymentLinkLineItems[id];
  if (!paymentLink || !specs) return notFound(res, 'Payment link');
  const base = saleFor(engine, specs);
  const redirectTo = paymentLink.after_completion.type === 'redirect' ? (paymentLink.after_completion.redirect?.url ?? null) : null;
  const origins = redirectOrigin(redirectTo);
  const page = (status: number, html: string) => sendHtml(res, status, html, origins);
  if (!paymentLink.active) {
    const message = typeof paymentLink.inactive_message === 'string' ? paymentLink.inactive_message : 'This link is no longer active.';
    return sendHtml(res, 410, renderPaymentPage({ ...base, email: '', clientReferenceId: null, closedMessage: message }));
  }
  if (req.method === 'GET') {
    const prefilled = url.searchParams.get('prefilled_email') ?? '';
    return page(
      200,
      renderPaymentPage({
        ...base,
        email: prefilled,
        prefilledEmail: EMAIL.test(prefilled) ? prefilled : undefined,
        clientReferenceId: validClientReferenceId(url.searchParams.get('client_reference_id')),
      }),
    );
  }
  const form = await readForm(req);
  const clientReferenceId = validClientReferenceId(form.get('client_reference_id'));
  const prefilled = form.get('prefilled_email') ?? '';
  const email = (form.get('email') ?? '').trim();
  const again = (status: number, error: string) =>
    page(status, renderPaymentPage({ ...base, email, clientReferenceId, prefilledEmail: prefilled || undefined, error }));
  if (!EMAIL.test(email)) return again(400, 'Your email address is invalid.');
  const method = identifyTestPaymentMethod(form.get('card_number') ?? '');
  if (isRefusal(method)) return again(method.status, method.message);

  const session = makeCheckoutSession({
    amount: totalAmount(engine, specs),
    currency: paymentLink.currency,
    clientReferenceId,
    customerEmail: EMAIL.test(prefilled) ? prefilled : null,
    paymentLink: paymentLink.id,
    // Stripe copies a Payment Link's metadata onto the sessions it creates.
    metadata: { ...paymentLink.metadata },
    successUrl: redirectTo,
    cancelUrl: null,
    url: null,
    paymentMethodTypes: ['card'],
    customerCreation: paymentLink.customer_creation === 'always' ? 'always' : 'if_required',
    allowPromotionCodes: paymentLink.allow_promotion_codes === true,
    billingAddressCollection: paymentLink.billing_address_collection === 'required' ? 'required' : 'auto',
    submitType: typeof paymentLink.submit_type === 'string' ? paymentLink.submit_type : 'auto',
  });
  engine.data.sessionLineItems[session.id] = specs.map((s) => ({ ...s }));
  await engine.paySession(session, email, method, clientReferenceId);
  if (redirectTo !== null) return redirect(res, redirectTo.replaceAll('{CHECKOUT_SESSION_ID}', session.id));
  return sendHtml(res, 200, confirmationPage(paymentLink.after_completion.hosted_confirmation?.custom_message ?? null));
}

function closedMessage(session: CheckoutSession): string | undefined {
  if (session.status === 'complete') return 'This Checkout Session is already paid.';
  if (session.status === 'expired') return 'This Checkout Session has expired.';
  return undefined;
}

async function sessionPageHandler(engine: StripeEngine, req: IncomingMessage, res: ServerResponse, _url: URL, id: string): Promise<void> {
  const session = engine.data.checkoutSessions[id];
  const specs = engine.data.sessionLineItems[id];
  if (!session || !specs || session.payment_link !== null) return notFound(res, 'Checkout Session');
  const base = { ...saleFor(engine, specs), cancelUrl: session.cancel_url };
  const origins = redirectOrigin(session.success_url);
  const page = (status: number, html: string) => sendHtml(res, status, html, origins);
  const closed = closedMessage(session);
  if (closed) return sendHtml(res, 410, renderPaymentPage({ ...base, email: '', clientReferenceId: null, closedMessage: closed }));
  if (req.method === 'GET') {
    return page(
      200,
      renderPaymentPage({
        ...base,
        email: session.customer_email ?? '',
        emailLocked: session.customer_email !== null,
        clientReferenceId: session.client_reference_id,
      }),
    );
  }
  const form = await readForm(req);
  // Another submit may have paid (or the sweep expired) the session while this body arrived.
  const closedNow = closedMessage(session);
  if (closedNow) return sendHtml(res, 410, renderPaymentPage({ ...base, email: '', clientReferenceId: null, closedMessage: closedNow }));
  const email = (session.customer_email ?? form.get('email') ?? '').trim();
  const again = (status: number, error: string) =>
    page(status, renderPaymentPage({ ...base, email, emailLocked: session.customer_email !== null, clientReferenceId: session.client_reference_id, error }));
  if (!EMAIL.test(email)) return again(400, 'Your email address is invalid.');
  const method = identifyTestPaymentMethod(form.get('card_number') ?? '');
  if (isRefusal(method)) return again(method.status, method.message);
  // The session's own client_reference_id was set server-side; the form cannot change it.
  await engine.paySession(session, email, method, null);
  return redirect(res, (session.success_url ?? '/').replaceAll('{CHECKOUT_SESSION_ID}', session.id));
}
