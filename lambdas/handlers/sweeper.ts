/** The sweeper on a schedule (EventBridge Scheduler in AWS, a timer in the local cloud). */
import type { Context } from 'aws-lambda';
import { eventDeps } from '../adapters/event-deps';
import { logger } from '../adapters/observability';
import { payments } from '../adapters/stripe-payments';
import { sweep, type SweepReport } from '../core/sweep';
import { resumeExpiredJobs, type ResumeReport } from '../core/job';
import { jobPorts } from '../adapters/job-deps';

const handling = eventDeps();
const source = payments();
const jobs = jobPorts(source);

export const handler = async (_event?: unknown, _context?: Context): Promise<SweepReport & { jobs?: ResumeReport }> => {
  const report = await sweep({ ...handling, source });
  logger.info('sweep finished', { ...report });
  // Jobs whose run was killed: announced again, or failed and refunded after the last attempt.
  const resumed = await resumeExpiredJobs(jobs);
  if (resumed.resumed || resumed.failed || resumed.errors) logger.info('expired jobs', { ...resumed });
  return { ...report, jobs: resumed };
};
