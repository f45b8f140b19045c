/**
 * What the job's use case (core/job.ts) needs besides its processor, wired to the real adapters.
 * No Stripe here: when a job fails, the job says so on the bus (./event-bus.ts "Job Failed") and
 * the stripe-events function, which holds the Stripe client, makes the "no result, no charge"
 * refund (core/stripe-events.ts refundNoResult). The sweeper is the backstop for a lost event: it
 * reconciles every paid session of the last days, and a paid order whose job failed is not settled
 * until it is refunded (core/stripe-events.ts reconcileSession).
 */
import { loadConfig } from '../config';
import { deliverIfDue } from '../core/delivery';
import type { OrderId } from '../core/ids';
import type { JobDeps } from '../core/job';
import type { OrderStore } from '../ports/order-store';
import { orderStore } from './dynamo-order-store';
import { deliveryPorts } from './event-ports';
import { pipelineEvents } from './event-bus';
import { fault } from './fault-hook';
import { countMetric, logger } from './observability';
import { blobStore } from './s3-blob-store';
import { jobClaimSettings } from './settings';

export type JobWiring = Omit<JobDeps, 'processor' | 'settings'> & { settings: Omit<JobDeps['settings'], 'acceptedExtensions'> };

/**
 * The job's side of "no result, no charge": announce the failure of a paid order. An unpaid
 * order's failure needs nothing (a payment that arrives later finds the job failed and refunds:
 * reconcileSession), so most failures (a wrong file, never paid for) cost no event.
 */
export function announceRefundOwed(store: Pick<OrderStore, 'getOrder'>, announce: (orderId: OrderId) => Promise<void>) {
  return async (orderId: OrderId): Promise<'announced' | 'nothing_owed'> => {
    const order = await store.getOrder(orderId);
    if (!order || order.job !== 'failed' || order.payment !== 'paid') return 'nothing_owed';
    await announce(orderId);
    return 'announced';
  };
}

export function jobPorts(): JobWiring {
  const config = loadConfig();
  const store = orderStore();
  // Delivery after the job needs no Stripe call (core/delivery.ts): the job never loads Stripe.
  const delivery = deliveryPorts();
  return {
    store,
    blobs: blobStore(),
    settings: {
      maxUploadBytes: config.maxUploadBytes,
      maxAttempts: config.job.maxAttempts,
      ...jobClaimSettings(config),
    },
    refundNoResult: announceRefundOwed(store, (orderId) => pipelineEvents().jobFailed(orderId)),
    deliverIfDue: async (orderId) => {
      const outcome = await deliverIfDue(orderId, delivery);
      if (outcome === 'delivered') logger.info('delivered after job', { orderId });
      return outcome;
    },
    report: (level, message, fields) => logger[level](message, fields),
    count: (metric) => countMetric(metric),
    fault,
  };
}
