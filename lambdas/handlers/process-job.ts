/**
 * The job's wiring, shared by the Lambda handler (process-upload), the Fargate task
 * (process-task) and the container job runner (job-runner): the use case is core/job.ts
 * `runJob`; this module picks the processor (an operator's job folder from config, or the
 * built-in data profile) and hands it the real stores.
 */
import { once } from '../adapters/clients';
import { jobPorts } from '../adapters/job-deps';
import { loadConfig } from '../config';
import { runJob, type JobDeps, type JobOutcome, type Processor } from '../core/job';
import { createProfileProcessor } from '../processors/profile';
import { commandProcessor, loadJobFolder } from '../processors/command';

export type { JobOutcome } from '../core/job';

// The job sees PATH and LANG of its host and nothing else of this process's environment.
const hostEnv = { ...(process.env.PATH ? { PATH: process.env.PATH } : {}), ...(process.env.LANG ? { LANG: process.env.LANG } : {}) };

/** The processor config names: its job folder, read and validated once per process. */
export const configuredProcessor = once((): Processor => {
  const { job, profileMemoryBudgetMb } = loadConfig();
  if (!job.folder) return createProfileProcessor({ memoryBudgetMb: profileMemoryBudgetMb });
  return commandProcessor(loadJobFolder(job.folder), { hostEnv, maxLogBytes: job.maxLogBytes, ...(job.workDir ? { workBase: job.workDir } : {}) });
});

// No Stripe in the job: a paid order's failure is refunded by the stripe-events function (adapters/job-deps.ts).
const jobWiring = once(() => jobPorts());

export function jobDeps(processor: Processor): JobDeps {
  const wiring = jobWiring();
  return {
    ...wiring,
    processor,
    // Config narrows what the processor accepts, never widens it.
    settings: { ...wiring.settings, acceptedExtensions: loadConfig().acceptedExtensions.filter((e) => processor.acceptedExtensions.includes(e)) },
  };
}

export function runProcessJob(key: string, processor: Processor = configuredProcessor()): Promise<JobOutcome> {
  return runJob(key, jobDeps(processor));
}
