/** Payment Links: one reusable hosted page per product, here served at `/pay/<plink id>`. */
import { invalidParam, missingParam, noSuchResource } from './errors.js';
import { applyExpand, lineItemsList } from './expand.js';
import { newId } from './ids.js';
import { readLineItems } from './line-items.js';
import { LIST_PARAMS, newestFirst, paginate } from './list.js';
import { makePaymentLink, type AfterCompletion, type PaymentLink } from './objects.js';
import { assertKnownParams, optionalBool, optionalObject, optionalString, optionalStringArray, readExpand, readMetadata, readUrl } from './params.js';
import { pathParam, type ApiContext, type ApiRoute } from './api-types.js';
import type { FormObject } from './form-body.js';

export function findPaymentLink(ctx: ApiContext, id: string): PaymentLink {
  const link = ctx.engine.data.paymentLinks[id];
  if (!link) throw noSuchResource('payment_link', id);
  return link;
}

function readAfterCompletion(params: FormObject): AfterCompletion | undefined {
  const ac = optionalObject(params, 'after_completion');
  if (!ac) return undefined;
  assertKnownParams(ac, ['type', 'redirect', 'hosted_confirmation']);
  const type = optionalString(ac, 'type', 'after_completion[type]');
  if (type === 'redirect') {
    const redirect = optionalObject(ac, 'redirect', 'after_completion[redirect]');
    if (!redirect) throw missingParam('after_completion[redirect]');
    const url = readUrl(redirect, 'url', 'after_completion[redirect][url]');
    if (!url) throw missingParam('after_completion[redirect][url]');
    return { type: 'redirect', redirect: { url } };
  }
  if (type === 'hosted_confirmation') {
    const hc = optionalObject(ac, 'hosted_confirmation', 'after_completion[hosted_confirmation]');
    const message = hc ? optionalString(hc, 'custom_message', 'after_completion[hosted_confirmation][custom_message]') : undefined;
    return { type: 'hosted_confirmation', hosted_confirmation: { custom_message: message || null } };
  }
  if (type === undefined) throw missingParam('after_completion[type]');
  throw invalidParam('after_completion[type]', `Invalid after_completion[type]: must be one of redirect or hosted_confirmation`);
}

function readEnum<T extends string>(params: FormObject, key: string, values: readonly T[]): T | undefined {
  const value = optionalString(params, key);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw invalidParam(key, `Invalid ${key}: must be one of ${values.join(', ')}`);
  return value as T;
}

const LINK_CREATE = [
  'line_items',
  'after_completion',
  'metadata',
  'allow_promotion_codes',
  'billing_address_collection',
  'customer_creation',
  'submit_type',
  'payment_method_types',
  'expand',
];
const LINK_UPDATE = ['active', 'after_completion', 'metadata', 'allow_promotion_codes', 'billing_address_collection', 'customer_creation', 'inactive_message', 'expand'];

function createPaymentLink(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, LINK_CREATE);
  const priced = readLineItems(ctx.engine, p);
  const id = newId.paymentLink();
  const link = makePaymentLink({
    id,
    url: `${ctx.baseUrl}/pay/${id}`,
    currency: priced.currency,
    afterCompletion: readAfterCompletion(p) ?? { type: 'hosted_confirmation', hosted_confirmation: { custom_message: null } },
    metadata: readMetadata(p),
    allowPromotionCodes: optionalBool(p, 'allow_promotion_codes'),
    billingAddressCollection: readEnum(p, 'billing_address_collection', ['auto', 'required']),
    customerCreation: readEnum(p, 'customer_creation', ['always', 'if_required']),
    submitType: readEnum(p, 'submit_type', ['auto', 'book', 'donate', 'pay']),
    paymentMethodTypes: optionalStringArray(p, 'payment_method_types') ?? null,
  });
  ctx.engine.data.paymentLinks[id] = link;
  ctx.engine.data.paymentLinkLineItems[id] = priced.specs;
  ctx.engine.changed();
  return applyExpand(ctx.engine, link, readExpand(p));
}

function updatePaymentLink(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, LINK_UPDATE);
  const link = findPaymentLink(ctx, pathParam(ctx));
  const active = optionalBool(p, 'active');
  if (active !== undefined) link.active = active;
  const afterCompletion = readAfterCompletion(p);
  if (afterCompletion) link.after_completion = afterCompletion;
  const metadata = readMetadata(p, link.metadata);
  if (metadata) link.metadata = metadata;
  const promo = optionalBool(p, 'allow_promotion_codes');
  if (promo !== undefined) link.allow_promotion_codes = promo;
  const billing = readEnum(p, 'billing_address_collection', ['auto', 'required']);
  if (billing) link.billing_address_collection = billing;
  const creation = readEnum(p, 'customer_creation', ['always', 'if_required']);
  if (creation) link.customer_creation = creation;
  const inactiveMessage = optionalString(p, 'inactive_message');
  if (inactiveMessage !== undefined) link.inactive_message = inactiveMessage === '' ? null : inactiveMessage;
  ctx.engine.changed();
  return applyExpand(ctx.engine, link, readExpand(p));
}

function listPaymentLinks(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, [...LIST_PARAMS, 'active']);
  const active = optionalBool(p, 'active');
  const items = newestFirst(ctx.engine.data.paymentLinks).filter((x) => active === undefined || x.active === active);
  return applyExpand(ctx.engine, paginate(items, p, ctx.path, 'payment_link'), readExpand(p));
}

function listLinkLineItems(ctx: ApiContext): unknown {
  assertKnownParams(ctx.params, [...LIST_PARAMS]);
  const link = findPaymentLink(ctx, pathParam(ctx));
  const all = lineItemsList(ctx.engine, ctx.engine.data.paymentLinkLineItems[link.id] ?? [], ctx.path);
  return applyExpand(ctx.engine, paginate(all.data as { id: string }[], ctx.params, ctx.path, 'line_item'), readExpand(ctx.params));
}

export const paymentLinkRoutes: ApiRoute[] = [
  { method: 'POST', pattern: /^\/v1\/payment_links$/, handle: createPaymentLink },
  { method: 'GET', pattern: /^\/v1\/payment_links$/, handle: listPaymentLinks },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_links\/([^/]+)$/,
    handle: (ctx) => applyExpand(ctx.engine, findPaymentLink(ctx, pathParam(ctx)), readExpand(ctx.params)),
  },
  { method: 'POST', pattern: /^\/v1\/payment_links\/([^/]+)$/, handle: updatePaymentLink },
  { method: 'GET', pattern: /^\/v1\/payment_links\/([^/]+)\/line_items$/, handle: listLinkLineItems },
];
