/**
 * The seam operators use to plug in their own analysis, declared by the job's use case
 * (core/job.ts): the job streams the uploaded object into `process` and stores what comes back:
 * the preview is shown for free, the artifacts are the paid result under results/<orderId>/<name>.
 * Without TypeScript, an operator's own command is a job folder instead (docs/jobs.md,
 * processors/command/).
 */
export { ProcessingError } from '../core/job';
export type { Artifact, Processor, ProcessorInput, ProcessorResult } from '../core/job';
