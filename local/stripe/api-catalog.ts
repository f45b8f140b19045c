/** Products and prices: the catalogue a Payment Link sells from. */
import { StripeApiError, invalidParam, missingParam, noSuchResource } from './errors.js';
import { applyExpand } from './expand.js';
import { LIST_PARAMS, matchesRange, newestFirst, paginate } from './list.js';
import { makePrice, makeProduct, nowSeconds, type Price, type Product } from './objects.js';
import {
  assertKnownParams,
  optionalBool,
  optionalInt,
  optionalObject,
  optionalString,
  optionalStringArray,
  readExpand,
  readMetadata,
  requiredString,
} from './params.js';
import { pathParam, type ApiContext, type ApiRoute } from './api-types.js';
import type { FormObject } from './form-body.js';
import type { StripeEngine } from './engine.js';

export function findProduct(ctx: ApiContext, id: string, param = 'id'): Product {
  const product = ctx.engine.data.products[id];
  if (!product) throw noSuchResource('product', id, param);
  return product;
}

export function findPrice(engine: StripeEngine, id: string, param = 'id'): Price {
  const price = engine.data.prices[id];
  if (!price) throw noSuchResource('price', id, param);
  return price;
}

function readCurrency(params: FormObject, key: string, label = key): string {
  const currency = requiredString(params, key, label).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalidParam(label, `Invalid currency: ${currency}`);
  return currency;
}

function readUnitAmount(params: FormObject, label: string): number {
  const amount = optionalInt(params, 'unit_amount', label);
  if (amount === undefined) throw missingParam(label);
  if (amount < 0 || amount > 99_999_999) throw invalidParam(label, 'This value must be greater than or equal to 0 and less than 100000000.');
  return amount;
}

function rejectRecurring(params: FormObject, label: string): void {
  if (params.recurring !== undefined) {
    throw new StripeApiError(400, 'invalid_request_error', `The local Stripe stand-in supports one-time prices only (${label}).`, 'parameter_unknown', label);
  }
}

const PRODUCT_CREATE = ['name', 'description', 'active', 'metadata', 'images', 'url', 'id', 'default_price_data', 'expand'];
const PRODUCT_UPDATE = ['name', 'description', 'active', 'metadata', 'images', 'url', 'default_price', 'expand'];
const PRICE_CREATE = ['currency', 'unit_amount', 'product', 'product_data', 'active', 'nickname', 'lookup_key', 'metadata', 'tax_behavior', 'recurring', 'expand'];
const PRICE_UPDATE = ['active', 'nickname', 'lookup_key', 'metadata', 'expand'];

function createProduct(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, PRODUCT_CREATE);
  const id = optionalString(p, 'id');
  if (id !== undefined && ctx.engine.data.products[id]) {
    throw new StripeApiError(400, 'invalid_request_error', `Product already exists.`, 'resource_already_exists', 'id');
  }
  const product = makeProduct({
    id,
    name: requiredString(p, 'name'),
    description: optionalString(p, 'description') ?? null,
    active: optionalBool(p, 'active'),
    metadata: readMetadata(p),
    images: optionalStringArray(p, 'images'),
    url: optionalString(p, 'url') ?? null,
  });
  const priceData = optionalObject(p, 'default_price_data');
  ctx.engine.data.products[product.id] = product;
  if (priceData) {
    rejectRecurring(priceData, 'default_price_data[recurring]');
    const price = makePrice({
      currency: readCurrency(priceData, 'currency', 'default_price_data[currency]'),
      unitAmount: readUnitAmount(priceData, 'default_price_data[unit_amount]'),
      product: product.id,
    });
    ctx.engine.data.prices[price.id] = price;
    product.default_price = price.id;
  }
  ctx.engine.changed();
  return applyExpand(ctx.engine, product, readExpand(p));
}

function updateProduct(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, PRODUCT_UPDATE);
  const product = findProduct(ctx, pathParam(ctx));
  const name = optionalString(p, 'name');
  if (name !== undefined) product.name = name;
  const description = optionalString(p, 'description');
  if (description !== undefined) product.description = description === '' ? null : description;
  const active = optionalBool(p, 'active');
  if (active !== undefined) product.active = active;
  const metadata = readMetadata(p, product.metadata);
  if (metadata) product.metadata = metadata;
  const defaultPrice = optionalString(p, 'default_price');
  if (defaultPrice !== undefined) product.default_price = findPrice(ctx.engine, defaultPrice, 'default_price').id;
  product.updated = nowSeconds();
  ctx.engine.changed();
  return applyExpand(ctx.engine, product, readExpand(p));
}

function listProducts(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, [...LIST_PARAMS, 'active', 'created', 'ids']);
  const active = optionalBool(p, 'active');
  const ids = optionalStringArray(p, 'ids');
  const items = newestFirst(ctx.engine.data.products).filter(
    (x) => (active === undefined || x.active === active) && (!ids || ids.includes(x.id)) && matchesRange(x.created, p.created, 'created'),
  );
  return applyExpand(ctx.engine, paginate(items, p, ctx.path, 'product'), readExpand(p));
}

function createPrice(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, PRICE_CREATE);
  rejectRecurring(p, 'recurring');
  let productId = optionalString(p, 'product');
  const productData = optionalObject(p, 'product_data');
  if (productId === undefined && !productData) throw missingParam('product');
  if (productId !== undefined) {
    findProduct(ctx, productId, 'product');
  } else if (productData) {
    const product = makeProduct({ name: requiredString(productData, 'name', 'product_data[name]'), metadata: readMetadata(productData) });
    ctx.engine.data.products[product.id] = product;
    productId = product.id;
  }
  const lookupKey = optionalString(p, 'lookup_key') ?? null;
  const price = makePrice({
    currency: readCurrency(p, 'currency'),
    unitAmount: readUnitAmount(p, 'unit_amount'),
    product: productId ?? '',
    active: optionalBool(p, 'active'),
    nickname: optionalString(p, 'nickname') ?? null,
    lookupKey,
    metadata: readMetadata(p),
    taxBehavior: optionalString(p, 'tax_behavior'),
  });
  ctx.engine.data.prices[price.id] = price;
  ctx.engine.changed();
  return applyExpand(ctx.engine, price, readExpand(p));
}

function updatePrice(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, PRICE_UPDATE);
  const price = findPrice(ctx.engine, pathParam(ctx));
  const active = optionalBool(p, 'active');
  if (active !== undefined) price.active = active;
  const nickname = optionalString(p, 'nickname');
  if (nickname !== undefined) price.nickname = nickname === '' ? null : nickname;
  const lookupKey = optionalString(p, 'lookup_key');
  if (lookupKey !== undefined) price.lookup_key = lookupKey === '' ? null : lookupKey;
  const metadata = readMetadata(p, price.metadata);
  if (metadata) price.metadata = metadata;
  ctx.engine.changed();
  return applyExpand(ctx.engine, price, readExpand(p));
}

function listPrices(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, [...LIST_PARAMS, 'active', 'product', 'currency', 'created', 'lookup_keys', 'type']);
  const active = optionalBool(p, 'active');
  const product = optionalString(p, 'product');
  const currency = optionalString(p, 'currency');
  const lookupKeys = optionalStringArray(p, 'lookup_keys');
  const type = optionalString(p, 'type');
  const items = newestFirst(ctx.engine.data.prices).filter(
    (x) =>
      (active === undefined || x.active === active) &&
      (product === undefined || x.product === product) &&
      (currency === undefined || x.currency === currency) &&
      (type === undefined || x.type === type) &&
      (!lookupKeys || (x.lookup_key !== null && lookupKeys.includes(x.lookup_key))) &&
      matchesRange(x.created, p.created, 'created'),
  );
  return applyExpand(ctx.engine, paginate(items, p, ctx.path, 'price'), readExpand(p));
}

export const catalogRoutes: ApiRoute[] = [
  { method: 'POST', pattern: /^\/v1\/products$/, handle: createProduct },
  { method: 'GET', pattern: /^\/v1\/products$/, handle: listProducts },
  {
    method: 'GET',
    pattern: /^\/v1\/products\/([^/]+)$/,
    handle: (ctx) => applyExpand(ctx.engine, findProduct(ctx, pathParam(ctx)), readExpand(ctx.params)),
  },
  { method: 'POST', pattern: /^\/v1\/products\/([^/]+)$/, handle: updateProduct },
  { method: 'POST', pattern: /^\/v1\/prices$/, handle: createPrice },
  { method: 'GET', pattern: /^\/v1\/prices$/, handle: listPrices },
  {
    method: 'GET',
    pattern: /^\/v1\/prices\/([^/]+)$/,
    handle: (ctx) => applyExpand(ctx.engine, findPrice(ctx.engine, pathParam(ctx)), readExpand(ctx.params)),
  },
  { method: 'POST', pattern: /^\/v1\/prices\/([^/]+)$/, handle: updatePrice },
];
