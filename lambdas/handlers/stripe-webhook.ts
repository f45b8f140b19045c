/**
 * POST /api/stripe/webhook: verify the signature over the raw body, then hand the event to
 * handleStripeEvent. 400 only for a bad signature (Stripe must not retry a forgery); 200 for
 * everything we handled or chose to ignore; 5xx only for transient failures so Stripe retries.
 */
import { countMetric, logger } from '../adapters/observability';
import { eventDeps } from '../adapters/event-deps';
import { payments as stripePayments } from '../adapters/stripe-payments';
import { handleStripeEvent } from '../core/stripe-events';
import { SignatureError } from '../ports/payments';
import { errorResult, header, httpHandler, json, rawBody } from './http';

const payments = stripePayments();
const handling = eventDeps();

export const handler = httpHandler('stripe-webhook', async (event) => {
  let stripeEvent;
  try {
    stripeEvent = await payments.verifyEvent(rawBody(event), header(event, 'stripe-signature'));
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    logger.warn('webhook signature rejected', { reason: error.message });
    countMetric('WebhookRejected');
    return errorResult(400, 'invalid_signature', 'The Stripe-Signature header is missing, wrong or too old.');
  }
  const outcome = await handleStripeEvent(stripeEvent, handling);
  logger.info('stripe event handled', { eventId: stripeEvent.id, type: stripeEvent.type, outcome });
  return json(200, { received: true });
});
