/**
 * Target of the EventBridge rule on Stripe's event destination (partner event bus). The event is
 * already trusted (EventBridge delivered it from Stripe's partner source), so no signature: the
 * Stripe event is the envelope's `detail`. Thrown errors make EventBridge retry.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { noteApiVersion } from '../adapters/stripe-payments';
import { handleStripeEvent, type EventOutcome, type StripeEvent } from '../core/stripe-events';

const handling = eventDeps();

const isStripeEvent = (value: unknown): value is StripeEvent => {
  const v = value as Partial<StripeEvent> | null;
  return typeof v?.id === 'string' && typeof v.type === 'string' && typeof v.data === 'object' && v.data !== null && 'object' in v.data;
};

export const handler = async (envelope: EventBridgeEvent<string, unknown>): Promise<EventOutcome | 'malformed'> => {
  if (!isStripeEvent(envelope.detail)) {
    // Retrying cannot fix a malformed event: log it and drop it.
    logger.error('EventBridge Stripe event without id/type/data', { id: envelope.id, detailType: envelope['detail-type'] });
    return 'malformed';
  }
  // An event destination renders events in its own API version, as a webhook endpoint does.
  noteApiVersion(envelope.detail);
  const outcome = await handleStripeEvent(envelope.detail, handling);
  logger.info('stripe event handled', { eventId: envelope.detail.id, type: envelope.detail.type, outcome, via: 'eventbridge' });
  return outcome;
};
