/**
 * Target of the EventBridge rule on Stripe's event destination (partner event bus). The event is
 * already trusted (EventBridge delivered it from Stripe's partner source), so no signature: the
 * Stripe event is the envelope's `detail`. Handled once per event id, like the webhook
 * (adapters/stripe-event-idempotency.ts); thrown errors, "in progress" included, make EventBridge
 * retry.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { eventPersistence, idempotentStripeEvents } from '../adapters/stripe-event-idempotency';
import { noteApiVersion } from '../adapters/stripe-payments';
import { isStripeEvent, type EventOutcome } from '../core/stripe-events';

const handle = idempotentStripeEvents(eventDeps(), eventPersistence());

export const handler = async (envelope: EventBridgeEvent<string, unknown>, context: Context): Promise<EventOutcome | 'malformed'> => {
  if (!isStripeEvent(envelope.detail)) {
    // Retrying cannot fix a malformed event: log it and drop it.
    logger.error('EventBridge Stripe event without id/type/data', { id: envelope.id, detailType: envelope['detail-type'] });
    return 'malformed';
  }
  // An event destination renders events in its own API version, as a webhook endpoint does.
  noteApiVersion(envelope.detail);
  const outcome = await handle(envelope.detail, context);
  logger.info('stripe event handled', { eventId: envelope.detail.id, type: envelope.detail.type, outcome, via: 'eventbridge' });
  return outcome;
};
