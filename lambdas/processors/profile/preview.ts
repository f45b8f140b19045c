import type { ColumnType, ProfileReport } from './report-model';

/**
 * The free preview: enough to see the analysis worked (file shape, column names and types),
 * none of the paid content (no statistics, no values). Column list capped to stay small.
 */
export const PREVIEW_COLUMNS = 50;
const PREVIEW_NAME_CHARS = 80;

export interface ProfilePreview {
  readonly kind: 'data-profile';
  readonly schemaVersion: 1;
  readonly rows: number;
  readonly columnCount: number;
  readonly format: 'csv' | 'jsonl' | 'json';
  readonly delimiter: string | null;
  readonly encoding: string;
  readonly hasHeader: boolean;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>;
  /** Columns not listed because of the cap. */
  readonly moreColumns: number;
  /** How many data-quality warnings the full report contains (not what they say). */
  readonly warningCount: number;
}

export function buildPreview(report: ProfileReport): ProfilePreview {
  const f = report.file;
  return {
    kind: 'data-profile',
    schemaVersion: 1,
    rows: f.rows,
    columnCount: f.columns,
    format: f.format,
    delimiter: f.delimiterName,
    encoding: f.encoding,
    hasHeader: f.hasHeader,
    columns: report.columns.slice(0, PREVIEW_COLUMNS).map((c) => ({
      name: c.name.length > PREVIEW_NAME_CHARS ? `${c.name.slice(0, PREVIEW_NAME_CHARS)}…` : c.name,
      type: c.type,
    })),
    moreColumns: Math.max(0, report.columns.length - PREVIEW_COLUMNS),
    warningCount: report.warnings.length,
  };
}
