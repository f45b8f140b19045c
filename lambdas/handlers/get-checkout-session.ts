/**
 * GET /api/checkout-sessions/{sessionId}: one Payment Link serves every order, so the page Stripe
 * redirects to asks which order a session paid for. Read from Stripe, never from the browser.
 * A completed session is reconciled at once, through the same reconcileSession the webhook and
 * the sweeper use: a customer who paid while the webhook is late (or lost) comes back to a paid
 * order, not to a Pay button inviting a second charge.
 */
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { payments as stripePayments } from '../adapters/stripe-payments';
import { parseOrderId, parseSessionId } from '../core/ids';
import { reconcileSession } from '../core/stripe-events';
import { HttpError, httpHandler, json } from './http';

const payments = stripePayments();
const handling = eventDeps();

export const handler = httpHandler('get-checkout-session', async (event) => {
  const sessionId = parseSessionId(event.pathParameters?.sessionId);
  if (!sessionId) throw new HttpError(400, 'invalid_session_id', 'That is not a valid checkout session id.');
  const session = await payments.retrieveSession(sessionId);
  const orderId = parseOrderId(session?.client_reference_id);
  if (!session || !orderId) throw new HttpError(404, 'session_not_found', 'We found no order for that payment.');
  if (session.status === 'complete') {
    try {
      const outcome = await reconcileSession(session, handling);
      logger.info('returning checkout session reconciled', { orderId, sessionId, outcome });
    } catch (error) {
      // The order page still learns its order; the webhook or the sweeper finishes the job.
      logger.error('returning checkout session could not be reconciled', { orderId, sessionId, error: error as Error });
    }
  }
  return json(200, { orderId });
});
