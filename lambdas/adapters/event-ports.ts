/**
 * What handleStripeEvent, deliverIfDue and refundNoResult need, wired to the real adapters, given
 * the Payments to use. This module imports no Stripe code: ./event-deps.ts passes the eagerly
 * loaded client (handlers that talk to Stripe on every call). The job delivers but never talks to
 * Stripe: it takes `deliveryPorts` alone (./job-deps.ts).
 */
import { loadConfig } from '../config';
import type { DeliveryDeps } from '../core/delivery';
import type { EventDeps } from '../core/stripe-events';
import type { Payments } from '../ports/payments';
import { fault } from './fault-hook';
import { orderStore } from './dynamo-order-store';
import { countMetric, logger } from './observability';
import { mailer } from './ses-mailer';
import { deliverySettings, expectedPayment } from './settings';
import { tokenKey } from './token-key';

export function eventPorts(payments: Payments): EventDeps {
  const config = loadConfig();
  return {
    ...deliveryPorts(),
    payments,
    expected: expectedPayment(config),
    paymentMode: config.stripe.paymentMode,
  };
}

/** Delivery's ports (core/delivery.ts): store, mailer, settings, token key; no Stripe. */
export function deliveryPorts(): Omit<EventDeps, 'payments' | 'expected' | 'paymentMode'> & DeliveryDeps {
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
    settings: deliverySettings(config),
    tokenKey: tokenKey(config),
    fault,
    report: (level, message, fields) => logger[level](message, fields),
    count: (metric) => countMetric(metric),
  };
}
