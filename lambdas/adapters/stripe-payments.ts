/**
 * Payments through the official `stripe` package: one client per process, built at module scope
 * from the one config object, for sessions, lists, refunds, checkout-session creation and webhook
 * signatures (`stripe.webhooks.constructEventAsync`). Locally the same client talks to the
 * stand-in in local/stripe through the SDK's `host/port/protocol` options (`endpoints.stripe`).
 *
 * The SDK pins the API version (STRIPE_API_VERSION): every request carries it, so answers come
 * in the shapes of the `Stripe.*` types, and the stand-in speaks the same version. Webhook
 * events carry their endpoint's version instead; `verifyEvent` reports any other one
 * (StripeApiVersionMismatch metric, alarm in lib/monitoring.ts) rather than misread it.
 */
import Stripe from 'stripe';
import type { CheckoutRequest, OpenCheckout } from '../core/checkout';
import type { ChargeFacts, DisputeFacts, SessionFacts } from '../core/payment';
import type { ListedEvent } from '../core/sweep';
import { loadConfig, type RuntimeConfig } from '../config';
import { once } from './clients';
import { countMetric, logger } from './observability';
import { PaymentsError, SignatureError, type Payments, type RefundRequest, type StripeEventFacts } from '../ports/payments';
import { stripeSecretKey, webhookSecrets } from './secrets';
import { STRIPE_API_VERSION, stripeClient } from './stripe-client';


/**
 * The session as core reads it, field by field from the pinned version's type, so `tsc` proves
 * each field core reads still exists there. The SDK types enums as open (`'paid' | … | string`):
 * a status this code does not know is not a payment.
 */
export function toSessionFacts(s: Stripe.Checkout.Session): SessionFacts {
  return {
    id: s.id,
    client_reference_id: s.client_reference_id,
    payment_link: s.payment_link,
    amount_total: s.amount_total,
    currency: s.currency,
    livemode: s.livemode,
    payment_status: known(s.payment_status, ['paid', 'unpaid', 'no_payment_required'] as const) ?? 'unpaid',
    status: known(s.status, ['open', 'complete', 'expired'] as const) ?? null,
    payment_intent: s.payment_intent,
    customer_details: s.customer_details ? { email: s.customer_details.email } : null,
    customer_email: s.customer_email,
    metadata: s.metadata,
  };
}

const known = <T extends string>(value: string | null, values: readonly T[]): T | undefined =>
  (values as readonly (string | null)[]).includes(value) ? (value as T) : undefined;

// Charges and disputes reach core only inside webhook events; these lines make `tsc` prove that
// the pinned version's objects still carry what core reads from them, with the types it expects.
const chargeFacts = (c: Stripe.Charge): ChargeFacts => c;
const disputeFacts = (d: Stripe.Dispute): DisputeFacts => d;
void [chargeFacts, disputeFacts];

/** The runtime's client: key from the secrets adapter, endpoint from config. */
export const stripeClientFor = (config: RuntimeConfig): Stripe =>
  stripeClient({ apiKey: () => stripeSecretKey(config), ...(config.endpoints.stripe ? { endpoint: config.endpoints.stripe } : {}) });

/** Stripe's error `type` and `code`, when the error is one of the SDK's. */
function stripeErrorOf(error: unknown): { type: string; code?: string; statusCode?: number } | undefined {
  if (!(error instanceof Stripe.errors.StripeError)) return undefined;
  return { type: error.type, ...(error.code ? { code: error.code } : {}), ...(error.statusCode ? { statusCode: error.statusCode } : {}) };
}

/**
 * SDK errors as the domain sees them. By the time one reaches here the SDK has already retried
 * what retrying can fix (network, 409, 429, 5xx) with the same idempotency key.
 */
export function toPaymentsError(error: unknown, operation: string): unknown {
  const stripe = stripeErrorOf(error);
  if (!stripe) return error;
  const kind: PaymentsError['kind'] =
    stripe.type === 'StripeCardError'
      ? 'declined'
      : stripe.type === 'StripeInvalidRequestError' || stripe.type === 'StripeIdempotencyError'
        ? 'refused'
        : stripe.type === 'StripeAuthenticationError' || stripe.type === 'StripePermissionError'
          ? 'not_authorized'
          : 'unavailable';
  return new PaymentsError(kind, `${operation}: ${(error as Error).message}`, stripe.code, { cause: error });
}

export class StripePayments implements Payments {
  constructor(
    private readonly stripe: Stripe,
    private readonly config: RuntimeConfig,
  ) {}

  async verifyEvent(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts> {
    if (!signatureHeader) throw new SignatureError('missing Stripe-Signature header');
    // The SDK refuses old timestamps but not future ones; a clock that far ahead is a forgery.
    const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(signatureHeader)?.[1]);
    const tolerance = this.config.stripe.signatureToleranceSeconds;
    if (Number.isFinite(timestamp) && timestamp > Date.now() / 1000 + tolerance) {
      throw new SignatureError('signature timestamp is in the future');
    }
    // Several secrets while an endpoint is being replaced (docs/deploy.md): any one verifies.
    const secrets = await webhookSecrets(this.config);
    let lastError: unknown;
    for (const secret of secrets) {
      let event: Stripe.Event;
      try {
        event = await this.stripe.webhooks.constructEventAsync(rawBody, signatureHeader, secret, tolerance);
      } catch (error) {
        lastError = error;
        continue;
      }
      noteApiVersion(event);
      return event;
    }
    throw new SignatureError(lastError instanceof Error ? lastError.message : 'signature did not verify');
  }

  async retrieveSession(sessionId: string): Promise<SessionFacts | undefined> {
    try {
      return toSessionFacts(await this.stripe.checkout.sessions.retrieve(sessionId));
    } catch (error) {
      if (stripeErrorOf(error)?.code === 'resource_missing') return undefined;
      throw toPaymentsError(error, 'retrieve checkout session');
    }
  }

  async refund(request: RefundRequest): Promise<{ id: string; status: string }> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: request.paymentIntentId, reason: request.reason, metadata: request.metadata },
        { idempotencyKey: request.idempotencyKey },
      );
      return { id: refund.id, status: refund.status ?? 'pending' };
    } catch (error) {
      throw toPaymentsError(error, 'refund');
    }
  }

  async *listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts> {
    try {
      const sessions = this.stripe.checkout.sessions.list({
        limit: 100,
        status: 'complete',
        created: { gte: opts.sinceSeconds },
        ...(opts.paymentLinkId ? { payment_link: opts.paymentLinkId } : {}),
      });
      for await (const session of sessions) yield toSessionFacts(session);
    } catch (error) {
      throw toPaymentsError(error, 'list checkout sessions');
    }
  }

  async *completedSessionPages(opts: { paymentLinkId?: string; sinceSeconds: number; startingAfter?: string }): AsyncIterable<readonly SessionFacts[]> {
    let startingAfter = opts.startingAfter;
    for (;;) {
      let page: Stripe.ApiList<Stripe.Checkout.Session>;
      try {
        page = await this.stripe.checkout.sessions.list({
          limit: 100,
          status: 'complete',
          created: { gte: opts.sinceSeconds },
          ...(opts.paymentLinkId ? { payment_link: opts.paymentLinkId } : {}),
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        });
      } catch (error) {
        throw toPaymentsError(error, 'list checkout sessions');
      }
      if (page.data.length) yield page.data.map(toSessionFacts);
      startingAfter = page.data.at(-1)?.id;
      if (!page.has_more || !startingAfter) return;
    }
  }

  async *listEvents(opts: { types: readonly string[]; sinceSeconds: number }): AsyncIterable<ListedEvent> {
    try {
      const events = this.stripe.events.list({ limit: 100, types: [...opts.types], created: { gte: opts.sinceSeconds } });
      for await (const event of events) yield event;
    } catch (error) {
      throw toPaymentsError(error, 'list events');
    }
  }

  async createCheckoutSession(opts: CheckoutRequest): Promise<OpenCheckout> {
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [{ price: opts.priceId, quantity: 1 }],
          client_reference_id: opts.orderId,
          customer_email: opts.email,
          success_url: opts.successUrl,
          cancel_url: opts.cancelUrl,
          metadata: { uplock_order: opts.orderId },
        },
        { idempotencyKey: opts.idempotencyKey },
      );
    } catch (error) {
      throw toPaymentsError(error, 'create checkout session');
    }
    if (!session.url) throw new Error('Stripe returned a checkout session without a URL');
    return { id: session.id, url: session.url, expiresAt: session.expires_at };
  }
}

/**
 * An event in another API version than the one this code is typed against (an endpoint created
 * before an upgrade, or by hand) may name or nest fields differently: say so loudly, once per event.
 */
export function noteApiVersion(event: { id: string; type: string; api_version?: string | null }): boolean {
  if (!event.api_version || event.api_version === STRIPE_API_VERSION) return true;
  logger.warn('stripe event in another API version than the pinned one', {
    eventId: event.id,
    type: event.type,
    eventApiVersion: event.api_version,
    pinnedApiVersion: STRIPE_API_VERSION,
  });
  countMetric('StripeApiVersionMismatch');
  return false;
}

/** The process-wide Payments: every handler that talks to Stripe shares this one client. */
export const payments = once((): Payments => {
  const config = loadConfig();
  return new StripePayments(stripeClientFor(config), config);
});
