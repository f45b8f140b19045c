/**
 * GET /api/checkout-sessions/{sessionId}: one Payment Link serves every order, so the page Stripe
 * redirects to asks which order a session paid for. Read from Stripe, never from the browser.
 */
import { payments as stripePayments } from '../adapters/stripe-payments';
import { parseOrderId, parseSessionId } from '../core/ids';
import { HttpError, httpHandler, json } from './http';

const payments = stripePayments();

export const handler = httpHandler('get-checkout-session', async (event) => {
  const sessionId = parseSessionId(event.pathParameters?.sessionId);
  if (!sessionId) throw new HttpError(400, 'invalid_session_id', 'That is not a valid checkout session id.');
  const session = await payments.retrieveSession(sessionId);
  const orderId = parseOrderId(session?.client_reference_id);
  if (!session || !orderId) throw new HttpError(404, 'session_not_found', 'We found no order for that payment.');
  return json(200, { orderId });
});
