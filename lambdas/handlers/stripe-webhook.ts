/**
 * POST /api/stripe/webhook: verify the signature over the raw body, then hand the event to
 * handleStripeEvent, once per event id (adapters/stripe-event-idempotency.ts). 400 for a bad
 * signature (Stripe must not retry a forgery) and for a signed body that is no event (retrying
 * cannot fix it); 200 for everything we handled or chose to ignore; 5xx only for transient
 * failures and while another attempt of the same event is still in progress, so Stripe retries.
 */
import type { StripeEventFacts } from '../ports/payments';
import { countMetric, logger } from '../adapters/observability';
import { eventDeps } from '../adapters/event-deps';
import { eventPersistence, idempotentStripeEvents, isInProgress } from '../adapters/stripe-event-idempotency';
import { payments as stripePayments } from '../adapters/stripe-payments';
import { isStripeEvent } from '../core/stripe-events';
import { SignatureError } from '../ports/payments';
import { errorResult, header, httpHandler, json, rawBody } from './http';

const payments = stripePayments();
const handle = idempotentStripeEvents(eventDeps(), eventPersistence());

export const handler = httpHandler('stripe-webhook', async (event, context) => {
  let stripeEvent: StripeEventFacts;
  try {
    stripeEvent = await payments.verifyEvent(rawBody(event), header(event, 'stripe-signature'));
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    logger.warn('webhook signature rejected', { reason: error.message });
    countMetric('WebhookRejected');
    return errorResult(400, 'invalid_signature', 'The Stripe-Signature header is missing, wrong or too old.');
  }
  if (!isStripeEvent(stripeEvent)) {
    // Signed by Stripe (or whoever holds the secret) yet not an event: log it for a person to read.
    const facts = stripeEvent as { id?: unknown; type?: unknown } | null;
    logger.error('signed webhook body is not a Stripe event (id, type, data.object)', { eventId: String(facts?.id), type: String(facts?.type) });
    countMetric('WebhookRejected');
    return errorResult(400, 'malformed_event', 'The body is signed but is not a Stripe event.');
  }
  try {
    const outcome = await handle(stripeEvent, context);
    logger.info('stripe event handled', { eventId: stripeEvent.id, type: stripeEvent.type, outcome });
  } catch (error) {
    if (!isInProgress(error)) throw error;
    logger.info('stripe event still in progress elsewhere: Stripe will retry', { eventId: stripeEvent.id, type: stripeEvent.type });
    return errorResult(503, 'event_in_progress', 'This event is being handled; retry later.');
  }
  return json(200, { received: true });
});
