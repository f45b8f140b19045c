/** Events: what was sent, kept for 30 days on Stripe (for as long as the data file here). */
import { noSuchResource } from './errors.js';
import { LIST_PARAMS, matchesRange, newestFirst, paginate } from './list.js';
import type { StripeEvent } from './objects.js';
import { assertKnownParams, optionalBool, optionalString, optionalStringArray } from './params.js';
import { pathParam, type ApiContext, type ApiRoute } from './api-types.js';

function findEvent(ctx: ApiContext): StripeEvent {
  const id = pathParam(ctx);
  const event = ctx.engine.data.events[id];
  if (!event) throw noSuchResource('event', id);
  return event;
}

/** `checkout.session.*` style wildcards, as Stripe's `type` filter accepts. */
function typeMatches(type: string, pattern: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

export const eventRoutes: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/events$/,
    handle: (ctx) => {
      const p = ctx.params;
      assertKnownParams(p, [...LIST_PARAMS, 'type', 'types', 'created', 'delivery_success']);
      const type = optionalString(p, 'type');
      const types = optionalStringArray(p, 'types');
      const deliverySuccess = optionalBool(p, 'delivery_success');
      const items = newestFirst(ctx.engine.data.events).filter(
        (e) =>
          (type === undefined || typeMatches(e.type, type)) &&
          (!types || types.some((t) => typeMatches(e.type, t))) &&
          // Stripe's meaning: false = events whose delivery to some endpoint has not yet succeeded.
          (deliverySuccess === undefined || (e.pending_webhooks === 0) === deliverySuccess) &&
          matchesRange(e.created, p.created, 'created'),
      );
      return paginate(items, p, ctx.path, 'event');
    },
  },
  { method: 'GET', pattern: /^\/v1\/events\/([^/]+)$/, handle: findEvent },
  {
    // What `stripe events resend <id>` calls: redeliver now, to one endpoint or to all.
    method: 'POST',
    pattern: /^\/v1\/events\/([^/]+)\/retry$/,
    handle: async (ctx) => {
      assertKnownParams(ctx.params, ['webhook_endpoint', 'expand']);
      const event = findEvent(ctx);
      const endpoint = optionalString(ctx.params, 'webhook_endpoint');
      if (endpoint !== undefined && !ctx.engine.data.webhookEndpoints[endpoint]) {
        throw noSuchResource('webhook_endpoint', endpoint, 'webhook_endpoint');
      }
      await ctx.engine.redeliver(event, endpoint);
      return event;
    },
  },
];
