/**
 * Checkout Sessions. Payment Link sessions are created by the hosted page when the customer
 * pays; `POST /v1/checkout/sessions` creates an open one whose `url` is the hosted page.
 */
import { StripeApiError, invalidParam, noSuchResource } from './errors.js';
import { applyExpand, lineItemsList } from './expand.js';
import { newId } from './ids.js';
import { readLineItems } from './line-items.js';
import { LIST_PARAMS, matchesRange, newestFirst, paginate } from './list.js';
import { makeCheckoutSession, nowSeconds, type CheckoutSession } from './objects.js';
import { assertKnownParams, optionalInt, optionalObject, optionalString, optionalStringArray, readExpand, readMetadata, readUrl, requiredString } from './params.js';
import { pathParam, type ApiContext, type ApiRoute } from './api-types.js';

export function findSession(ctx: ApiContext, id: string): CheckoutSession {
  const session = ctx.engine.data.checkoutSessions[id];
  if (!session) throw noSuchResource('checkout.session', id, 'session');
  return session;
}

const SESSION_CREATE = [
  'mode',
  'line_items',
  'client_reference_id',
  'customer_email',
  'success_url',
  'cancel_url',
  'metadata',
  'expires_at',
  'payment_method_types',
  'submit_type',
  'expand',
];

function createSession(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, SESSION_CREATE);
  const mode = requiredString(p, 'mode');
  if (mode !== 'payment') {
    throw new StripeApiError(400, 'invalid_request_error', `The local Stripe stand-in supports mode=payment only.`, 'parameter_invalid_string', 'mode');
  }
  const successUrl = readUrl(p, 'success_url');
  if (!successUrl) throw new StripeApiError(400, 'invalid_request_error', 'Missing required param: success_url.', 'parameter_missing', 'success_url');
  const clientReferenceId = optionalString(p, 'client_reference_id');
  if (clientReferenceId !== undefined && clientReferenceId.length > 200) {
    throw invalidParam('client_reference_id', 'client_reference_id must be at most 200 characters.');
  }
  const customerEmail = optionalString(p, 'customer_email');
  if (customerEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) {
    throw new StripeApiError(400, 'invalid_request_error', `Invalid email address: ${customerEmail}`, 'email_invalid', 'customer_email');
  }
  const now = nowSeconds();
  const expiresAt = optionalInt(p, 'expires_at');
  // Stripe's window: at least 30 minutes, at most 24 hours from now.
  if (expiresAt !== undefined && (expiresAt < now + 30 * 60 - 60 || expiresAt > now + 24 * 3600)) {
    throw invalidParam('expires_at', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.');
  }
  const priced = readLineItems(ctx.engine, p);
  const id = newId.checkoutSession();
  const session = makeCheckoutSession({
    id,
    amount: priced.amount,
    currency: priced.currency,
    clientReferenceId: clientReferenceId || null,
    customerEmail: customerEmail || null,
    paymentLink: null,
    metadata: readMetadata(p) ?? {},
    successUrl,
    cancelUrl: readUrl(p, 'cancel_url') ?? null,
    url: `${ctx.baseUrl}/c/pay/${id}`,
    expiresAt,
    paymentMethodTypes: optionalStringArray(p, 'payment_method_types') ?? ['card'],
    customerCreation: 'if_required',
    allowPromotionCodes: null,
    billingAddressCollection: null,
    submitType: optionalString(p, 'submit_type') ?? null,
  });
  ctx.engine.data.checkoutSessions[id] = session;
  ctx.engine.data.sessionLineItems[id] = priced.specs;
  ctx.engine.changed();
  return applyExpand(ctx.engine, session, readExpand(p));
}

function listSessions(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, [...LIST_PARAMS, 'payment_link', 'status', 'created', 'payment_intent', 'customer_details', 'customer']);
  const link = optionalString(p, 'payment_link');
  const status = optionalString(p, 'status');
  if (status !== undefined && !['open', 'complete', 'expired'].includes(status)) {
    throw invalidParam('status', 'Invalid status: must be one of open, complete, or expired');
  }
  const pi = optionalString(p, 'payment_intent');
  const customer = optionalString(p, 'customer');
  const details = optionalObject(p, 'customer_details');
  const email = details ? optionalString(details, 'email', 'customer_details[email]') : undefined;
  const items = newestFirst(ctx.engine.data.checkoutSessions).filter(
    (s) =>
      (link === undefined || s.payment_link === link) &&
      (status === undefined || s.status === status) &&
      (pi === undefined || s.payment_intent === pi) &&
      (customer === undefined || s.customer === customer) &&
      (email === undefined || s.customer_details?.email === email) &&
      matchesRange(s.created, p.created, 'created'),
  );
  return applyExpand(ctx.engine, paginate(items, p, ctx.path, 'checkout.session'), readExpand(p));
}

function listSessionLineItems(ctx: ApiContext): unknown {
  assertKnownParams(ctx.params, [...LIST_PARAMS]);
  const session = findSession(ctx, pathParam(ctx));
  const all = lineItemsList(ctx.engine, ctx.engine.data.sessionLineItems[session.id] ?? [], ctx.path);
  return applyExpand(ctx.engine, paginate(all.data as { id: string }[], ctx.params, ctx.path, 'line_item'), readExpand(ctx.params));
}

function expireSession(ctx: ApiContext): unknown {
  assertKnownParams(ctx.params, ['expand']);
  const session = findSession(ctx, pathParam(ctx));
  ctx.engine.expireSession(session, ctx.request);
  return applyExpand(ctx.engine, session, readExpand(ctx.params));
}

export const checkoutRoutes: ApiRoute[] = [
  { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handle: createSession },
  { method: 'GET', pattern: /^\/v1\/checkout\/sessions$/, handle: listSessions },
  {
    method: 'GET',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
    handle: (ctx) => {
      assertKnownParams(ctx.params, ['expand']);
      return applyExpand(ctx.engine, findSession(ctx, pathParam(ctx)), readExpand(ctx.params));
    },
  },
  { method: 'GET', pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/, handle: listSessionLineItems },
  { method: 'POST', pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, handle: expireSession },
];
