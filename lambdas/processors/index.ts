/**
 * The processor the job runs: the streaming data-profile report (docs/processor.md).
 * To run your own analysis instead, implement `Processor` (./processor.ts) and export it here
 * as `defaultProcessor`.
 */
export { profileProcessor as defaultProcessor } from './profile/index';
