/**
 * report.json: the machine-readable data profile. Documented in docs/processor.md; bump
 * SCHEMA_VERSION on any change that is not a pure addition.
 */
export const SCHEMA_VERSION = 1;

export type ColumnType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'string' | 'empty';

export interface ProfileReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly generator: 'uplock-profile';
  readonly file: FileFacts;
  readonly columns: readonly ColumnReport[];
  readonly warnings: readonly Warning[];
}

export interface FileFacts {
  readonly name: string;
  readonly bytes: number;
  readonly format: 'csv' | 'jsonl';
  /** The delimiter character (CSV only), e.g. "," or "\t". */
  readonly delimiter: string | null;
  /** comma, tab, semicolon, pipe (CSV only). */
  readonly delimiterName: string | null;
  /** ascii, utf-8 or utf-8 (with BOM). */
  readonly encoding: string;
  /** False when the first row looked like data and columns were named column_1, column_2, … */
  readonly hasHeader: boolean;
  /** Data rows (the header excluded). */
  readonly rows: number;
  readonly columns: number;
  readonly duplicateRows: { readonly count: number; readonly exact: boolean };
  readonly raggedRows: { readonly short: number; readonly long: number; readonly examples: readonly number[] };
  readonly malformedQuotedFields: number;
  readonly invalidJsonLines: number;
}

export interface ColumnReport {
  readonly index: number;
  readonly name: string;
  readonly type: ColumnType;
  /** Share of non-missing values that fit `type` (0..1; 1 for string). */
  readonly typeShare: number;
  /** Non-missing values per kind they parse as. */
  readonly kinds: Readonly<Record<'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'string', number>>;
  readonly count: number;
  readonly missing: number;
  readonly missingShare: number;
  readonly distinct: { readonly value: number; readonly exact: boolean };
  /** Character length range of the non-missing values (null when all are missing). */
  readonly length: { readonly min: number; readonly max: number } | null;
  /** Numbers (integer, decimal) or instants (date, datetime; unit epoch_ms, UTC). */
  readonly stats: NumericStats | null;
  readonly boolean: { readonly true: number; readonly false: number } | null;
  /** Most frequent values, most frequent first. */
  readonly topValues: readonly TopValueReport[];
  /** Counts in topValues are exact (false: SpaceSaving estimates, each at most `error` too high). */
  readonly topValuesExact: boolean;
  /** Up to 3 example values that do not fit `type`. */
  readonly nonConforming: readonly string[];
}

export interface NumericStats {
  readonly unit: 'number' | 'epoch_ms';
  /** Values the statistics cover (those that fit the type). */
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); null for fewer than 2 values. */
  readonly stddev: number | null;
  readonly quantiles: Readonly<Record<'p1' | 'p5' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99', number>>;
  /** Bins cover [from, to); the last one includes `to`. */
  readonly histogram: readonly { readonly from: number; readonly to: number; readonly count: number }[];
  /** Values beyond Q1 − 3·IQR or Q3 + 3·IQR (estimated from the quantile sketch). */
  readonly outliers: { readonly low: number; readonly high: number; readonly lowFence: number; readonly highFence: number };
  /** False when quantiles, histogram and outliers come from the KLL sketch (rank error ≤ 1 %). */
  readonly exactQuantiles: boolean;
}

export interface TopValueReport {
  readonly value: string;
  readonly count: number;
  readonly error: number;
  readonly truncated: boolean;
}

export type WarningCode =
  | 'empty_column'
  | 'mostly_missing'
  | 'constant'
  | 'mixed_types'
  | 'suspected_id'
  | 'outliers'
  | 'ragged_rows'
  | 'duplicate_rows'
  | 'malformed_quotes'
  | 'invalid_json_lines'
  | 'no_header';

export interface Warning {
  readonly code: WarningCode;
  /** Column name, for column warnings. */
  readonly column: string | null;
  readonly message: string;
}
