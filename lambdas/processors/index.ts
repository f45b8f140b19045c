/** The processor the job runs. Swap in your own here (docs/processor.md). */
export { csvSummaryProcessor as defaultProcessor } from './csv-summary';
