/**
 * `expand[]`: replaces an id field with the object it names (`payment_intent`, `product`…), or
 * fills `line_items`, which Stripe only returns when asked. `data.` applies to each list item.
 */
import { StripeApiError } from './errors.js';
import type { StripeEngine } from './engine.js';
import { makeCheckoutLineItem, type LineItemSpec } from './objects.js';

type Loader = (engine: StripeEngine, id: string) => object | undefined;

const ID_FIELDS: Record<string, Loader> = {
  product: (e, id) => e.data.products[id],
  default_price: (e, id) => e.data.prices[id],
  price: (e, id) => e.data.prices[id],
  payment_intent: (e, id) => e.data.paymentIntents[id],
  latest_charge: (e, id) => e.data.charges[id],
  charge: (e, id) => e.data.charges[id],
};

export function lineItemsList(engine: StripeEngine, specs: readonly LineItemSpec[], url: string) {
  const data = specs.flatMap((spec) => {
    const price = engine.data.prices[spec.price];
    if (!price) return [];
    const productName = engine.data.products[price.product]?.name ?? '';
    return [makeCheckoutLineItem(price, productName, spec.quantity)];
  });
  return { object: 'list' as const, data, has_more: false, url };
}

export function applyExpand<T extends object>(engine: StripeEngine, value: T, paths: readonly string[]): T {
  if (paths.length === 0) return value;
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const path of paths) expandPath(engine, copy, path.split('.'), path);
  return copy as T;
}

function expandPath(engine: StripeEngine, obj: Record<string, unknown>, parts: string[], full: string): void {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  if (head === 'data' && obj.object === 'list' && Array.isArray(obj.data)) {
    for (const item of obj.data as Record<string, unknown>[]) expandPath(engine, item, rest, full);
    return;
  }
  if (head === 'line_items' && (obj.object === 'checkout.session' || obj.object === 'payment_link')) {
    const id = String(obj.id);
    const specs = obj.object === 'payment_link' ? engine.data.paymentLinkLineItems[id] : engine.data.sessionLineItems[id];
    const base = obj.object === 'payment_link' ? `/v1/payment_links/${id}/line_items` : `/v1/checkout/sessions/${id}/line_items`;
    obj.line_items = lineItemsList(engine, specs ?? [], base);
    return;
  }
  const loader = ID_FIELDS[head];
  const current = obj[head];
  if (!loader || current === undefined) {
    throw new StripeApiError(400, 'invalid_request_error', `This property cannot be expanded (${full}).`, 'parameter_invalid_string', 'expand');
  }
  if (typeof current === 'string') {
    const loaded = loader(engine, current);
    if (loaded) obj[head] = structuredClone(loaded);
  }
  const next = obj[head];
  if (rest.length > 0 && next && typeof next === 'object') expandPath(engine, next as Record<string, unknown>, rest, full);
}
