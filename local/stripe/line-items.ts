/** `line_items[i][price]` + `[quantity]`, shared by Payment Links and Checkout Sessions. */
import { StripeApiError, invalidParam, missingParam } from './errors.js';
import type { StripeEngine } from './engine.js';
import type { FormObject } from './form-body.js';
import type { LineItemSpec } from './objects.js';
import { assertKnownParams, optionalArray, optionalInt, requiredString } from './params.js';
import { findPrice } from './api-catalog.js';

export interface PricedLineItems {
  specs: LineItemSpec[];
  currency: string;
  /** Sum of unit_amount × quantity, minor units. */
  amount: number;
}

export function readLineItems(engine: StripeEngine, params: FormObject): PricedLineItems {
  const raw = optionalArray(params, 'line_items');
  if (!raw || raw.length === 0) throw missingParam('line_items');
  if (raw.length > 20) throw invalidParam('line_items', 'You can have at most 20 line items.');
  const specs: LineItemSpec[] = [];
  let currency: string | undefined;
  let amount = 0;
  raw.forEach((item, i) => {
    const label = `line_items[${i}]`;
    if (typeof item === 'string' || Array.isArray(item)) throw invalidParam(label, `Invalid hash: ${label}`);
    assertKnownParams(item, ['price', 'quantity']);
    const price = findPrice(engine, requiredString(item, 'price', `${label}[price]`), `${label}[price]`);
    if (!price.active) throw invalidParam(`${label}[price]`, `The price specified (${price.id}) is inactive.`);
    const quantity = optionalInt(item, 'quantity', `${label}[quantity]`);
    if (quantity === undefined) throw missingParam(`${label}[quantity]`);
    if (quantity < 1 || quantity > 999_999) throw invalidParam(`${label}[quantity]`, 'Quantity must be between 1 and 999999.');
    if (currency !== undefined && price.currency !== currency) {
      throw new StripeApiError(400, 'invalid_request_error', 'All prices must be in the same currency.', 'parameter_invalid_string', `${label}[price]`);
    }
    currency = price.currency;
    amount += price.unit_amount * quantity;
    specs.push({ price: price.id, quantity });
  });
  return { specs, currency: currency ?? 'usd', amount };
}

/** Sum of unit_amount × quantity over prices that still exist (prices are never deleted). */
export function totalAmount(engine: StripeEngine, specs: readonly LineItemSpec[]): number {
  return specs.reduce((sum, s) => sum + (engine.data.prices[s.price]?.unit_amount ?? 0) * s.quantity, 0);
}

export function describeLineItems(engine: StripeEngine, specs: readonly LineItemSpec[]): string {
  const names = specs.map((s) => {
    const price = engine.data.prices[s.price];
    return (price && engine.data.products[price.product]?.name) || 'Item';
  });
  const first = names[0] ?? 'Item';
  return names.length > 1 ? `${first} and ${names.length - 1} more` : first;
}
