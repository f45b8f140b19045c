/**
 * What the job's use case (core/job.ts) needs besides its processor, wired to the real adapters,
 * given the Payments to refund with. The job's own handlers pass the client loaded on first use
 * (./payments-on-demand.ts: Stripe only for a refund when a paid order's job fails); the sweeper,
 * which lists sessions on every run anyway, passes its eagerly loaded one. No Stripe import here.
 */
import { loadConfig } from '../config';
import { deliverIfDue } from '../core/delivery';
import type { JobDeps } from '../core/job';
import type { Payments } from '../ports/payments';
import { refundNoResult } from '../core/stripe-events';
import { orderStore } from './dynamo-order-store';
import { eventPorts } from './event-ports';
import { fault } from './fault-hook';
import { countMetric, logger } from './observability';
import { blobStore } from './s3-blob-store';

export type JobWiring = Omit<JobDeps, 'processor' | 'settings'> & { settings: Omit<JobDeps['settings'], 'acceptedExtensions'> };

export function jobPorts(payments: Payments): JobWiring {
  const config = loadConfig();
  const events = eventPorts(payments);
  return {
    store: orderStore(),
    blobs: blobStore(),
    settings: {
      maxUploadBytes: config.maxUploadBytes,
      maxAttempts: config.job.maxAttempts,
      ...(config.job.claimSeconds ? { claimMs: config.job.claimSeconds * 1000 } : {}),
    },
    refundNoResult: (orderId) => refundNoResult(orderId, events),
    deliverIfDue: async (orderId) => {
      const outcome = await deliverIfDue(orderId, events);
      if (outcome === 'delivered') logger.info('delivered after job', { orderId });
      return outcome;
    },
    report: (level, message, fields) => logger[level](message, fields),
    count: (metric) => countMetric(metric),
    fault,
  };
}
