/** Refunds, and read access to the PaymentIntents, Charges and Disputes payments create. */
import { invalidParam, missingParam, noSuchResource } from './errors.js';
import { applyExpand } from './expand.js';
import { LIST_PARAMS, matchesRange, newestFirst, paginate } from './list.js';
import { idOf, type Charge, type RefundReason } from './objects.js';
import { assertKnownParams, optionalInt, optionalString, readExpand, readMetadata } from './params.js';
import { pathParam, type ApiContext, type ApiRoute } from './api-types.js';

const REASONS: readonly RefundReason[] = ['duplicate', 'fraudulent', 'requested_by_customer'];

function chargeToRefund(ctx: ApiContext): Charge {
  const chargeId = optionalString(ctx.params, 'charge');
  const piId = optionalString(ctx.params, 'payment_intent');
  if (chargeId !== undefined && piId !== undefined) {
    throw invalidParam('payment_intent', 'You can only specify one of these parameters: charge, payment_intent.');
  }
  if (chargeId !== undefined) {
    const charge = ctx.engine.data.charges[chargeId];
    if (!charge) throw noSuchResource('charge', chargeId, 'charge');
    return charge;
  }
  if (piId === undefined) throw missingParam('charge');
  const pi = ctx.engine.data.paymentIntents[piId];
  if (!pi) throw noSuchResource('payment_intent', piId, 'payment_intent');
  const latest = idOf(pi.latest_charge);
  const charge = latest ? ctx.engine.data.charges[latest] : undefined;
  if (!charge || pi.status !== 'succeeded') {
    throw invalidParam('payment_intent', `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`);
  }
  return charge;
}

function createRefund(ctx: ApiContext): unknown {
  const p = ctx.params;
  assertKnownParams(p, ['charge', 'payment_intent', 'amount', 'reason', 'metadata', 'expand']);
  const reason = optionalString(p, 'reason');
  if (reason !== undefined && !(REASONS as readonly string[]).includes(reason)) {
    throw invalidParam('reason', `Invalid reason: must be one of ${REASONS.join(', ')}`);
  }
  const charge = chargeToRefund(ctx);
  const refund = ctx.engine.refund({
    charge,
    amount: optionalInt(p, 'amount'),
    reason: (reason as RefundReason | undefined) ?? null,
    metadata: readMetadata(p) ?? {},
    request: ctx.request,
  });
  return applyExpand(ctx.engine, refund, readExpand(p));
}

function byId<T>(collection: Record<string, T>, kind: string) {
  return (ctx: ApiContext): unknown => {
    const id = pathParam(ctx);
    const found = collection[id];
    if (!found) throw noSuchResource(kind, id);
    return applyExpand(ctx.engine, found as Record<string, unknown>, readExpand(ctx.params));
  };
}

function filtered<T extends { id: string; created: number }>(
  pick: (ctx: ApiContext) => Record<string, T>,
  kind: string,
  filters: Record<string, (item: T, value: string) => boolean>,
) {
  return (ctx: ApiContext): unknown => {
    const p = ctx.params;
    assertKnownParams(p, [...LIST_PARAMS, 'created', ...Object.keys(filters)]);
    const active = Object.entries(filters).flatMap(([key, test]) => {
      const value = optionalString(p, key);
      return value === undefined ? [] : [(item: T) => test(item, value)];
    });
    const items = newestFirst(pick(ctx)).filter((x) => active.every((f) => f(x)) && matchesRange(x.created, p.created, 'created'));
    return applyExpand(ctx.engine, paginate(items, p, ctx.path, kind), readExpand(p));
  };
}

export const paymentRoutes: ApiRoute[] = [
  { method: 'POST', pattern: /^\/v1\/refunds$/, handle: createRefund },
  {
    method: 'GET',
    pattern: /^\/v1\/refunds$/,
    handle: filtered((ctx) => ctx.engine.data.refunds, 'refund', {
      charge: (r, v) => r.charge === v,
      payment_intent: (r, v) => r.payment_intent === v,
    }),
  },
  { method: 'GET', pattern: /^\/v1\/refunds\/([^/]+)$/, handle: (ctx) => byId(ctx.engine.data.refunds, 'refund')(ctx) },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_intents$/,
    handle: filtered((ctx) => ctx.engine.data.paymentIntents, 'payment_intent', {}),
  },
  { method: 'GET', pattern: /^\/v1\/payment_intents\/([^/]+)$/, handle: (ctx) => byId(ctx.engine.data.paymentIntents, 'payment_intent')(ctx) },
  {
    method: 'GET',
    pattern: /^\/v1\/charges$/,
    handle: filtered((ctx) => ctx.engine.data.charges, 'charge', { payment_intent: (c, v) => c.payment_intent === v }),
  },
  { method: 'GET', pattern: /^\/v1\/charges\/([^/]+)$/, handle: (ctx) => byId(ctx.engine.data.charges, 'charge')(ctx) },
  {
    method: 'GET',
    pattern: /^\/v1\/disputes$/,
    handle: filtered((ctx) => ctx.engine.data.disputes, 'dispute', {
      charge: (d, v) => d.charge === v,
      payment_intent: (d, v) => d.payment_intent === v,
    }),
  },
  { method: 'GET', pattern: /^\/v1\/disputes\/([^/]+)$/, handle: (ctx) => byId(ctx.engine.data.disputes, 'dispute')(ctx) },
];
