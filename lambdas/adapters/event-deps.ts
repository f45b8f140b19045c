/** What handleStripeEvent needs, wired to the real adapters and observability. */
import type { EventDeps } from '../core/stripe-events';
import { countMetric, logger } from './observability';
import { deps } from './wiring';

export function eventDeps(): EventDeps {
  const { store, mailer, delivery, expectedPayment } = deps();
  return {
    store,
    mailer,
    settings: delivery,
    expected: expectedPayment,
    report: (level, message, fields) => logger[level](message, fields),
    onMismatch: () => countMetric('PaymentMismatch'),
  };
}
