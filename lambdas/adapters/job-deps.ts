/** What the job's use case (core/job.ts) needs besides its processor, wired to the real adapters. */
import { loadConfig } from '../config';
import { deliverIfDue } from '../core/delivery';
import type { JobDeps } from '../core/job';
import { refundNoResult } from '../core/stripe-events';
import { once } from './clients';
import { orderStore } from './dynamo-order-store';
import { eventDeps } from './event-deps';
import { fault } from './fault-hook';
import { countMetric, logger } from './observability';
import { blobStore } from './s3-blob-store';

export type JobWiring = Omit<JobDeps, 'processor' | 'settings'> & { settings: Omit<JobDeps['settings'], 'acceptedExtensions'> };

export const jobWiring = once((): JobWiring => {
  const config = loadConfig();
  const events = eventDeps();
  return {
    store: orderStore(),
    blobs: blobStore(),
    settings: { maxUploadBytes: config.maxUploadBytes, maxAttempts: config.job.maxAttempts },
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
});
