/**
 * Stripe wiring: find or create the Product, Price, Payment Link (redirecting back to the order
 * page) and webhook endpoint that one uplock installation needs. Idempotent: objects are found
 * again by the `uplock` metadata tag, so running it on every deploy (custom resource), from the
 * ops CLI, or at each `npm start` changes only what drifted.
 *
 * Prices are immutable in Stripe and a Payment Link's price cannot change: a new price means a
 * new Price and a new Payment Link, and the old link is deactivated so nobody pays the old price.
 */
import type Stripe from 'stripe';
import { HANDLED_EVENT_TYPES } from '../core/stripe-events';

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
}

export interface WiringResult {
  readonly productId: string;
  readonly priceId: string;
  readonly paymentLinkId: string;
  readonly paymentLinkUrl: string;
  readonly webhookEndpointId: string;
  /** Present only when a new endpoint was created. */
  readonly webhookSecret?: string;
  readonly changes: readonly string[];
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
    return { productId: product.id, priceId: price.id, paymentLinkId: link?.id ?? '', paymentLinkUrl: link?.url ?? '', webhookEndpointId: '', changes };
  }

  // Webhook endpoint
  const webhookUrl = `${input.siteUrl}/api/stripe/webhook`;
  const endpoints = (await all(stripe.webhookEndpoints.list({ limit: 100 }))).filter(tagged);
  let endpoint = endpoints[0];
  let webhookSecret: string | undefined;
  if (endpoint && input.rotateWebhookSecret) {
    for (const old of endpoints) await stripe.webhookEndpoints.del(old.id);
    changes.push(`replaced webhook endpoint ${endpoint.id} to get a new signing secret`);
    endpoint = undefined;
  }
  if (!endpoint) {
    endpoint = await stripe.webhookEndpoints.create({ url: webhookUrl, enabled_events: [...WEBHOOK_EVENTS], metadata: { uplock: input.tag } });
    webhookSecret = endpoint.secret;
    changes.push(`created webhook endpoint ${endpoint.id}`);
  } else if (endpoint.url !== webhookUrl || WEBHOOK_EVENTS.some((e) => !endpoint?.enabled_events.includes(e)) || endpoint.status !== 'enabled') {
    endpoint = await stripe.webhookEndpoints.update(endpoint.id, { url: webhookUrl, enabled_events: [...WEBHOOK_EVENTS], disabled: false });
    changes.push(`updated webhook endpoint ${endpoint.id}`);
  }

  return {
    productId: product.id,
    priceId: price.id,
    paymentLinkId: link?.id ?? '',
    paymentLinkUrl: link?.url ?? '',
    webhookEndpointId: endpoint.id,
    ...(webhookSecret ? { webhookSecret } : {}),
    changes,
  };
}

/** Values that mean "nobody has put the real secret in yet" (what the stack creates). */
export const isPlaceholderSecret = (value: string | undefined): boolean => !value || value.startsWith('REPLACE_ME') || value.trim() === '';

/** A Stripe secret or restricted key looks like sk_… / rk_…; anything else is not a key yet. */
export const isStripeKey = (value: string | undefined): value is string => Boolean(value && /^(sk|rk)_(test|live)_\S+$/.test(value.trim()));
