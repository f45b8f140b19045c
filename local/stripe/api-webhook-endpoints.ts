/** Webhook endpoints. The signing secret is shown once, on creation, as on Stripe. */
import type Stripe from 'stripe';
import { invalidParam, missingParam, noSuchResource } from './errors.js';
import { newId } from './ids.js';
import { LIST_PARAMS, newestFirst, paginate } from './list.js';
import { makeWebhookEndpoint, type WebhookEndpoint } from './objects.js';
import { assertKnownParams, optionalBool, optionalString, optionalStringArray, readMetadata, readUrl } from './params.js';
import { pathParam, type ApiContext, type ApiRoute } from './api-types.js';

function findEndpoint(ctx: ApiContext): WebhookEndpoint {
  const id = pathParam(ctx);
  const endpoint = ctx.engine.data.webhookEndpoints[id];
  if (!endpoint) throw noSuchResource('webhook_endpoint', id);
  return endpoint;
}

function withoutSecret(endpoint: WebhookEndpoint): Stripe.WebhookEndpoint {
  const { secret: _secret, ...rest } = endpoint;
  return rest;
}

function readEvents(ctx: ApiContext): string[] | undefined {
  const events = optionalStringArray(ctx.params, 'enabled_events');
  if (events && events.length === 0) throw invalidParam('enabled_events', 'enabled_events must not be empty.');
  return events;
}

export function endpointRoutes(webhookSecret: string | undefined): ApiRoute[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/webhook_endpoints$/,
      handle: (ctx) => {
        assertKnownParams(ctx.params, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'expand']);
        const url = readUrl(ctx.params, 'url');
        if (!url) throw missingParam('url');
        const enabledEvents = readEvents(ctx);
        if (!enabledEvents) throw missingParam('enabled_events');
        const endpoint = makeWebhookEndpoint({
          url,
          enabledEvents,
          secret: webhookSecret ?? newId.webhookSecret(),
          description: optionalString(ctx.params, 'description') ?? null,
          metadata: readMetadata(ctx.params) ?? {},
          apiVersion: optionalString(ctx.params, 'api_version') ?? null,
        });
        ctx.engine.data.webhookEndpoints[endpoint.id] = endpoint;
        ctx.engine.changed();
        return endpoint;
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/webhook_endpoints$/,
      handle: (ctx) => {
        assertKnownParams(ctx.params, [...LIST_PARAMS]);
        return paginate(newestFirst(ctx.engine.data.webhookEndpoints).map(withoutSecret), ctx.params, ctx.path, 'webhook_endpoint');
      },
    },
    { method: 'GET', pattern: /^\/v1\/webhook_endpoints\/([^/]+)$/, handle: (ctx) => withoutSecret(findEndpoint(ctx)) },
    {
      method: 'POST',
      pattern: /^\/v1\/webhook_endpoints\/([^/]+)$/,
      handle: (ctx) => {
        assertKnownParams(ctx.params, ['url', 'enabled_events', 'description', 'metadata', 'disabled', 'expand']);
        const endpoint = findEndpoint(ctx);
        const url = readUrl(ctx.params, 'url');
        if (url) endpoint.url = url;
        const events = readEvents(ctx);
        if (events) endpoint.enabled_events = events;
        const disabled = optionalBool(ctx.params, 'disabled');
        if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
        const description = optionalString(ctx.params, 'description');
        if (description !== undefined) endpoint.description = description === '' ? null : description;
        const metadata = readMetadata(ctx.params, endpoint.metadata);
        if (metadata) endpoint.metadata = metadata;
        ctx.engine.changed();
        return withoutSecret(endpoint);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/webhook_endpoints\/([^/]+)$/,
      handle: (ctx) => {
        const endpoint = findEndpoint(ctx);
        delete ctx.engine.data.webhookEndpoints[endpoint.id];
        ctx.engine.changed();
        return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
      },
    },
  ];
}
