/**
 * Two kinds of EventBridge events, both handled once in effect:
 * - Stripe's, from the rule on a Stripe event destination (partner event bus). The event is
 *   already trusted (EventBridge delivered it from Stripe's partner source), so no signature: the
 *   Stripe event is the envelope's `detail`. Handled once per event id, like the webhook
 *   (adapters/stripe-event-idempotency.ts).
 * - the job's "Job Failed" (lambdas/contract.ts, put by adapters/event-bus.ts), from the rule on
 *   the default bus: this function holds the Stripe client, so it makes the "no result, no charge"
 *   refund the job would otherwise need Stripe for (core/stripe-events.ts refundNoResult: one
 *   refund by its idempotency key, the order marked refunded, the buyer told once).
 * Thrown errors, "in progress" included, make EventBridge retry.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { eventPersistence, idempotentStripeEvents } from '../adapters/stripe-event-idempotency';
import { noteApiVersion } from '../adapters/stripe-payments';
import { JOB_FAILED_DETAIL_TYPE, UPLOCK_EVENT_SOURCE } from '../contract';
import { parseOrderId } from '../core/ids';
import { isStripeEvent, refundNoResult, type EventOutcome } from '../core/stripe-events';

const deps = eventDeps();
const handle = idempotentStripeEvents(deps, eventPersistence());

export const handler = async (envelope: EventBridgeEvent<string, unknown>, context: Context): Promise<EventOutcome | 'malformed'> => {
  if (envelope.source === UPLOCK_EVENT_SOURCE) return jobFailed(envelope);
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

async function jobFailed(envelope: EventBridgeEvent<string, unknown>): Promise<EventOutcome | 'malformed'> {
  const detail = envelope.detail as { orderId?: unknown } | null;
  const orderId = envelope['detail-type'] === JOB_FAILED_DETAIL_TYPE ? parseOrderId(detail?.orderId) : undefined;
  if (!orderId) {
    logger.error('uplock event of an unknown type or without an order id', { id: envelope.id, detailType: envelope['detail-type'] });
    return 'malformed';
  }
  const outcome = await refundNoResult(orderId, deps);
  logger.info('job failure handled', { orderId, outcome, via: 'eventbridge' });
  return outcome;
}
