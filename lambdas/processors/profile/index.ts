import type { Processor, ProcessorInput, ProcessorResult } from '../processor';
import { buildPreview } from './preview';
import { profileStream } from './profile-stream';
import { renderHtml } from './render-html';

export { SCHEMA_VERSION } from './report-model';
export type { ProfileReport } from './report-model';
export type { ProfilePreview } from './preview';

/** Lower-case extensions the profile accepts; `.txt` is sniffed as CSV/TSV or JSON Lines. */
export const acceptedExtensions = ['.csv', '.tsv', '.txt', '.jsonl', '.ndjson'] as const;

/** The default processor: a streaming data-profile report of a CSV, TSV or JSON Lines file. */
export const profileProcessor: Processor = {
  name: 'data-profile',
  acceptedExtensions,
  async process(input: ProcessorInput): Promise<ProcessorResult> {
    const report = await profileStream(input);
    return {
      preview: buildPreview(report),
      artifacts: [
        { name: 'report.html', contentType: 'text/html; charset=utf-8', body: renderHtml(report) },
        // Indented for people reading it, unless the file is so wide that size matters more.
        { name: 'report.json', contentType: 'application/json', body: JSON.stringify(report, finiteOnly, report.columns.length <= 200 ? 2 : undefined) },
      ],
      primary: 'report.html',
    };
  },
};

/** JSON has no NaN or Infinity: write null instead of letting JSON.stringify do it silently. */
function finiteOnly(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
