/** What handleStripeEvent (and the job, the sweeper) need, wired to the real adapters. */
import { loadConfig } from '../config';
import type { EventDeps } from '../core/stripe-events';
import { once } from './clients';
import { fault } from './fault-hook';
import { orderStore } from './dynamo-order-store';
import { countMetric, logger } from './observability';
import { mailer } from './ses-mailer';
import { paymentsOnDemand } from './payments-on-demand';
import { deliverySettings, expectedPayment } from './settings';
import { tokenKey } from './token-key';

export const eventDeps = once((): EventDeps => {
  const config = loadConfig();
  const send = mailer();
  return {
    store: orderStore(),
    // Every email on the payment path counts toward the DeliveryFailures alarm when it fails.
    mailer: {
      send: async (to, message) => {
        try {
          await send.send(to, message);
        } catch (error) {
          countMetric('DeliveryFailures');
          throw error;
        }
      },
    },
    // Loaded on first use (payments-on-demand.ts): the job needs Stripe only to refund a failed
    // paid order; the handlers that always need it import stripe-payments.ts at init themselves.
    payments: paymentsOnDemand(),
    settings: deliverySettings(config),
    tokenKey: tokenKey(config),
    fault,
    expected: expectedPayment(config),
    paymentMode: config.stripe.paymentMode,
    report: (level, message, fields) => logger[level](message, fields),
    count: (metric) => countMetric(metric),
  };
});
