import type { Processor, ProcessorInput, ProcessorResult } from '../processor';
import { buildPreview } from './preview';
import { type ProfileOptions, profileStream } from './profile-stream';
import type { ProfileReport } from './report-model';
import { renderHtml } from './render-html';

export { SCHEMA_VERSION } from './report-model';
export type { ProfileReport } from './report-model';
export type { ProfileOptions } from './profile-stream';
export { DEFAULT_MEMORY_BUDGET_MB } from './exact-values';
export type { ProfilePreview } from './preview';

/** Lower-case extensions the profile accepts; `.txt` is sniffed as CSV/TSV or JSON Lines. */
export const acceptedExtensions = ['.csv', '.tsv', '.txt', '.jsonl', '.ndjson', '.json'] as const;

/** The data-profile processor with its options (memory budget; progress for the CLI). */
export function createProfileProcessor(options: ProfileOptions = {}): Processor {
  return {
    name: 'data-profile',
    acceptedExtensions,
    process: async (input) => {
      const { report: _report, ...result } = await profileResult(input, options);
      return result;
    },
  };
}

/** The default processor: a streaming data-profile report of a CSV, TSV, JSON Lines or JSON file. */
export const profileProcessor: Processor = createProfileProcessor();

/** Profiles the upload: report.html (the download), report.json and the free preview. */
export async function profileResult(input: ProcessorInput, options: ProfileOptions = {}): Promise<ProcessorResult & { report: ProfileReport }> {
  const report = await profileStream(input, options);
  return {
    report,
    preview: buildPreview(report),
    artifacts: [
      { name: 'report.html', contentType: 'text/html; charset=utf-8', body: renderHtml(report) },
      // Indented for people reading it, unless the file is so wide that size matters more.
      { name: 'report.json', contentType: 'application/json', body: JSON.stringify(report, finiteOnly, report.columns.length <= 200 ? 2 : undefined) },
    ],
    primary: 'report.html',
  };
}

/** JSON has no NaN or Infinity: write null instead of letting JSON.stringify do it silently. */
function finiteOnly(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
