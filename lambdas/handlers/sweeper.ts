/** The sweeper on a schedule (EventBridge Scheduler in AWS, a timer in the local cloud). */
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { deps } from '../adapters/wiring';
import { sweep, type SweepReport } from '../core/sweep';

const { payments } = deps();
const handling = eventDeps();

export const handler = async (): Promise<SweepReport> => {
  const report = await sweep({ ...handling, source: payments });
  logger.info('sweep finished', { ...report });
  return report;
};
