/** The sweeper on a schedule (EventBridge Scheduler in AWS, a timer in the local cloud). */
import type { Context } from 'aws-lambda';
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { payments } from '../adapters/stripe-payments';
import { sweep, type SweepReport } from '../core/sweep';

const handling = eventDeps();
const source = payments();

export const handler = async (_event?: unknown, _context?: Context): Promise<SweepReport> => {
  const report = await sweep({ ...handling, source });
  logger.info('sweep finished', { ...report });
  return report;
};
