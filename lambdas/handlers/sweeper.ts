/**
 * The sweeper on a schedule (EventBridge rule in AWS, a timer in the local cloud): one run under
 * the sweep lease (core/sweep.ts), until the function's deadline. A run that finds the lease held
 * does nothing.
 */
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config';
import { orderStore } from '../adapters/dynamo-order-store';
import { sweepStore } from '../adapters/dynamo-sweep-store';
import { eventDeps } from '../adapters/event-deps';
import { fault } from '../adapters/fault-hook';
import { pipelineEvents } from '../adapters/event-bus';
import { countMetric, logger } from '../adapters/observability';
import { eventPersistence, recoverStripeEvents } from '../adapters/stripe-event-idempotency';
import { payments } from '../adapters/stripe-payments';
import { resumeExpiredJobs, type ResumeReport } from '../core/job';
import { refundNoResult } from '../core/stripe-events';
import { SWEEP_BUDGET_MS, sweepPass, withSweepLease, type LeasedSweep, type SweepReport } from '../core/sweep';

const handling = eventDeps();
const source = payments();
const store = sweepStore();
const recover = recoverStripeEvents(handling, eventPersistence());
// A killed job is resumed by announcing its upload again on the bus (one PutEvents, the upload
// rule runs the job as for S3's own event: no S3 client here). A job out of attempts is failed
// here, and the sweeper holds Stripe anyway: it refunds directly.
export const resumeDeps: Parameters<typeof resumeExpiredJobs>[0] = {
  store: orderStore(),
  blobs: { reannounceInput: (key) => pipelineEvents().announceUpload(key) },
  settings: { maxAttempts: loadConfig().job.maxAttempts },
  refundNoResult: (orderId) => refundNoResult(orderId, handling),
  report: handling.report,
  count: (metric) => countMetric(metric),
  fault,
};

export const handler = async (_event?: unknown, context?: Context): Promise<LeasedSweep<SweepReport & { jobs: ResumeReport }>> => {
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? SWEEP_BUDGET_MS);
  const result = await withSweepLease(store, { deadline, report: handling.report }, async () => {
    const report = await sweepPass({ ...handling, sweepStore: store, source, deadline, handleEvent: (event) => recover(event, deadline) });
    // Jobs whose run was killed: announced again, or failed and refunded after the last attempt.
    return { ...report, jobs: await resumeExpiredJobs(resumeDeps) };
  });
  if ('skipped' in result) logger.info('sweep skipped: another sweep holds the lease', { ...result });
  else logger.info('sweep finished', { ...result });
  return result;
};
