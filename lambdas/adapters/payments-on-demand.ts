/**
 * Payments for a handler that rarely talks to Stripe: get-order (a Checkout Session only in
 * checkout-session mode, only once the preview is ready). The `stripe` package (about 240 KiB
 * minified) is imported on the first call, not at cold start, so a poll that never needs it never
 * evaluates it. Handlers that need Stripe on every request (the webhook, the sweeper, the
 * checkout-session lookup, stripe-events) import ./stripe-payments.ts directly, so the load
 * happens in their init phase. The job needs no Stripe at all: a paid order's failure goes to
 * stripe-events on the bus (./job-deps.ts).
 *
 * In a bundle the dynamic import stays inside the one file (lib/bundling.ts has no code
 * splitting): the bytes ship, but their evaluation waits (docs/architecture.md §9).
 */
import type { Payments } from '../ports/payments';
import { once } from './clients';

export const paymentsOnDemand = once((): Payments => {
  let loading: Promise<Payments> | undefined;
  const stripe = (): Promise<Payments> =>
    (loading ??= import('./stripe-payments').then(
      (module) => module.payments(),
      (error: unknown) => {
        // A failed load is not kept: the next call tries again.
        loading = undefined;
        throw error;
      },
    ));
  return {
    verifyEvent: async (rawBody, signatureHeader) => (await stripe()).verifyEvent(rawBody, signatureHeader),
    retrieveSession: async (sessionId) => (await stripe()).retrieveSession(sessionId),
    refund: async (request) => (await stripe()).refund(request),
    createCheckoutSession: async (request) => (await stripe()).createCheckoutSession(request),
    listCompletedSessions: async function* (opts) {
      yield* (await stripe()).listCompletedSessions(opts);
    },
    completedSessionPages: async function* (opts) {
      yield* (await stripe()).completedSessionPages(opts);
    },
    listEvents: async function* (opts) {
      yield* (await stripe()).listEvents(opts);
    },
  };
});
