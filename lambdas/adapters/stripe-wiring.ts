/**
 * Stripe wiring: find or create the Product, Price, Payment Link (redirecting back to the order
 * page) and webhook endpoint that one uplock installation needs. Idempotent: objects are found
 * again by the `uplock` metadata tag, so running it on every deploy (custom resource), from the
 * ops CLI, or at each `npm start` changes only what drifted.
 *
 * Prices are immutable in Stripe and a Payment Link's price cannot change: a new price means a
 * new Price and a new Payment Link, and the old link is deactivated so nobody pays the old price.
 *
 * A webhook endpoint's `api_version` is fixed when Stripe creates it, and its events come in that
 * version. The endpoint is created in the version the `stripe` package pins; an endpoint in any
 * other version (or in the account's default, `null`: what earlier uplock versions created) is
 * replaced by a new one, and kept, with its signing secret still accepted by the webhook, for
 * OLD_ENDPOINT_GRACE_SECONDS so Stripe can finish retrying what it already sent there; the first
 * run after that deletes it (docs/deploy.md).
 */
import type Stripe from 'stripe';
import { HANDLED_EVENT_TYPES } from '../core/stripe-events';
import { STRIPE_API_VERSION } from './stripe-client';

/** The endpoint subscribes to exactly what handleStripeEvent acts on. */
export const WEBHOOK_EVENTS = HANDLED_EVENT_TYPES;

export interface WiringInput {
  /** Identifies this installation (the stack name); several may share one Stripe account. */
  readonly tag: string;
  readonly siteUrl: string;
  readonly product: { readonly name: string; readonly description?: string };
  readonly price: { readonly amount: number; readonly currency: string };
  /**
   * Stripe shows a signing secret only when an endpoint is created. When true, an existing
   * endpoint is replaced so that the new secret can be stored (first deploy, or secret lost).
   */
  readonly rotateWebhookSecret: boolean;
  /**
   * Register the webhook endpoint (default). False for local development against real Stripe
   * test mode, where Stripe cannot reach 127.0.0.1 and `stripe listen` forwards events instead.
   */
  readonly webhook?: boolean;
  /** Manage this installation's Payment Link (default). False when the operator brings their own. */
  readonly paymentLink?: boolean;
  /** Unix seconds; tests move it to see an old endpoint's grace period end. @default now */
  readonly nowSeconds?: number;
}

/** Stripe retries a failed delivery for up to three days; an old endpoint lives that long after its successor. */
export const OLD_ENDPOINT_GRACE_SECONDS = 3 * 24 * 60 * 60;

export interface WiringResult {
  readonly productId: string;
  readonly priceId: string;
  readonly paymentLinkId: string;
  readonly paymentLinkUrl: string;
  readonly webhookEndpointId: string;
  /** Present only when a new endpoint was created. */
  readonly webhookSecret?: string;
  /**
   * Endpoints in another API version that still deliver (their grace period runs): the webhook
   * must keep accepting their signing secret beside the new one.
   */
  readonly oldEndpointIds: readonly string[];
  /** Endpoints in another API version deleted by this run: their secrets can go. */
  readonly deletedOldEndpointIds: readonly string[];
  readonly changes: readonly string[];
}

/**
 * What the webhook signing secret (a comma-separated list, lambdas/adapters/secrets.ts) must hold
 * after this run, or undefined when it stays as it is. `current` lists the newest endpoint's
 * secret first: a new endpoint beside old ones puts its secret in front of the list; deleting the
 * old ones leaves only the first.
 */
export function webhookSecretAfter(current: string | undefined, result: WiringResult): string | undefined {
  const secrets = (current ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('whsec_'));
  if (result.webhookSecret) {
    return result.oldEndpointIds.length > 0 ? [result.webhookSecret, ...secrets.filter((s) => s !== result.webhookSecret)].join(',') : result.webhookSecret;
  }
  if (result.deletedOldEndpointIds.length > 0 && result.oldEndpointIds.length === 0 && secrets.length > 1) return secrets[0];
  return undefined;
}

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

export async function wireStripe(stripe: Stripe, input: WiringInput): Promise<WiringResult> {
  const changes: string[] = [];
  const tagged = (o: { metadata?: Stripe.Metadata | null }) => o.metadata?.uplock === input.tag;

  // Product
  let product = (await all(stripe.products.list({ limit: 100, active: true }))).find(tagged);
  if (!product) {
    product = await stripe.products.create({
      name: input.product.name,
      ...(input.product.description ? { description: input.product.description } : {}),
      metadata: { uplock: input.tag },
    });
    changes.push(`created product ${product.id}`);
  } else if (product.name !== input.product.name || (input.product.description && product.description !== input.product.description)) {
    product = await stripe.products.update(product.id, {
      name: input.product.name,
      ...(input.product.description ? { description: input.product.description } : {}),
    });
    changes.push(`updated product ${product.id}`);
  }

  // Price
  const currency = input.price.currency.toLowerCase();
  let price = (await all(stripe.prices.list({ limit: 100, product: product.id, active: true }))).find(
    (p) => p.unit_amount === input.price.amount && p.currency === currency && tagged(p),
  );
  if (!price) {
    price = await stripe.prices.create({ product: product.id, unit_amount: input.price.amount, currency, metadata: { uplock: input.tag } });
    changes.push(`created price ${price.id}`);
  }

  // Payment Link: one active link per installation, at the current price.
  const redirect = `${input.siteUrl}/order.html?session_id={CHECKOUT_SESSION_ID}`;
  const links = input.paymentLink === false ? [] : (await all(stripe.paymentLinks.list({ limit: 100, active: true }))).filter(tagged);
  let link = links.find((l) => l.metadata?.price === price.id);
  for (const stale of links.filter((l) => l !== link)) {
    await stripe.paymentLinks.update(stale.id, { active: false });
    changes.push(`deactivated payment link ${stale.id} (old price)`);
  }
  if (input.paymentLink === false) {
    // The operator's own link: leave links alone; keep the Price (checkout-session mode uses it).
  } else if (!link) {
    link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'redirect', redirect: { url: redirect } },
      metadata: { uplock: input.tag, price: price.id },
    });
    changes.push(`created payment link ${link.id}`);
  } else if (link.after_completion?.redirect?.url !== redirect) {
    link = await stripe.paymentLinks.update(link.id, { after_completion: { type: 'redirect', redirect: { url: redirect } } });
    changes.push(`pointed payment link ${link.id} at ${redirect}`);
  }

  if (input.webhook === false) {
    return {
      productId: product.id,
      priceId: price.id,
      paymentLinkId: link?.id ?? '',
      paymentLinkUrl: link?.url ?? '',
      webhookEndpointId: '',
      oldEndpointIds: [],
      deletedOldEndpointIds: [],
      changes,
    };
  }

  // Webhook endpoint: one in the pinned API version; others only while their grace period runs.
  const webhookUrl = `${input.siteUrl}/api/stripe/webhook`;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const endpoints = (await all(stripe.webhookEndpoints.list({ limit: 100 }))).filter(tagged);
  let [endpoint, ...extra] = endpoints.filter((e) => e.api_version === STRIPE_API_VERSION).sort((a, b) => b.created - a.created);
  let old = endpoints.filter((e) => e.api_version !== STRIPE_API_VERSION);
  const deletedOldEndpointIds: string[] = [];
  let webhookSecret: string | undefined;
  if (endpoints.length > 0 && input.rotateWebhookSecret) {
    // A new secret was asked for (first deploy, or the stored one is lost): nothing old can be
    // verified anyway, so every endpoint of this installation goes.
    for (const e of endpoints) await stripe.webhookEndpoints.del(e.id);
    changes.push(`replaced webhook endpoint${endpoints.length > 1 ? 's' : ''} ${endpoints.map((e) => e.id).join(', ')} to get a new signing secret`);
    deletedOldEndpointIds.push(...old.map((e) => e.id));
    endpoint = undefined;
    extra = [];
    old = [];
  }
  for (const duplicate of extra) {
    await stripe.webhookEndpoints.del(duplicate.id);
    changes.push(`deleted duplicate webhook endpoint ${duplicate.id}`);
  }
  if (!endpoint) {
    endpoint = await stripe.webhookEndpoints.create({
      url: webhookUrl,
      enabled_events: [...WEBHOOK_EVENTS],
      api_version: STRIPE_API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
      metadata: { uplock: input.tag },
    });
    webhookSecret = endpoint.secret;
    changes.push(`created webhook endpoint ${endpoint.id} (API version ${STRIPE_API_VERSION})`);
    for (const e of old) changes.push(`kept webhook endpoint ${e.id} (API version ${e.api_version ?? 'account default'}) for ${OLD_ENDPOINT_GRACE_SECONDS / 3600} h while Stripe finishes its retries`);
  } else if (endpoint.url !== webhookUrl || WEBHOOK_EVENTS.some((e) => !endpoint?.enabled_events.includes(e)) || endpoint.status !== 'enabled') {
    endpoint = await stripe.webhookEndpoints.update(endpoint.id, { url: webhookUrl, enabled_events: [...WEBHOOK_EVENTS], disabled: false });
    changes.push(`updated webhook endpoint ${endpoint.id}`);
  }
  // The old endpoints' grace runs from their successor's creation.
  const graceEnds = endpoint.created + OLD_ENDPOINT_GRACE_SECONDS;
  const stillDelivering: string[] = [];
  for (const e of old) {
    if (webhookSecret || now < graceEnds) {
      stillDelivering.push(e.id);
      continue;
    }
    await stripe.webhookEndpoints.del(e.id);
    deletedOldEndpointIds.push(e.id);
    changes.push(`deleted webhook endpoint ${e.id} (API version ${e.api_version ?? 'account default'}): its grace period is over`);
  }

  return {
    productId: product.id,
    priceId: price.id,
    paymentLinkId: link?.id ?? '',
    paymentLinkUrl: link?.url ?? '',
    webhookEndpointId: endpoint.id,
    ...(webhookSecret ? { webhookSecret } : {}),
    oldEndpointIds: stillDelivering,
    deletedOldEndpointIds,
    changes,
  };
}

/** Values that mean "nobody has put the real secret in yet" (what the stack creates). */
export const isPlaceholderSecret = (value: string | undefined): boolean => !value || value.startsWith('REPLACE_ME') || value.trim() === '';

/** A Stripe secret or restricted key looks like sk_… / rk_…; anything else is not a key yet. */
export const isStripeKey = (value: string | undefined): value is string => Boolean(value && /^(sk|rk)_(test|live)_\S+$/.test(value.trim()));
