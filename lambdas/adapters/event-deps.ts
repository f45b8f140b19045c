/** What handleStripeEvent needs, wired to the real adapters and observability. */
import type { EventDeps } from '../core/stripe-events';
import { countMetric, logger } from './observability';
import { deps } from './wiring';

let built: EventDeps | undefined;

export function eventDeps(): EventDeps {
  if (built) return built;
  const { config, store, mailer, payments, delivery, expectedPayment } = deps();
  built = {
    store,
    // Every email on the payment path counts toward the DeliveryFailures alarm when it fails.
    mailer: {
      send: async (to, message) => {
        try {
          await mailer.send(to, message);
        } catch (error) {
          countMetric('DeliveryFailures');
          throw error;
        }
      },
    },
    payments,
    settings: delivery,
    expected: expectedPayment,
    paymentMode: config.stripe.paymentMode,
    report: (level, message, fields) => logger[level](message, fields),
    count: (metric) => countMetric(metric),
  };
  return built;
}
