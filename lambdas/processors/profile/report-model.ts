/**
 * report.json: the machine-readable data profile. Documented in docs/processor.md; bump
 * SCHEMA_VERSION on any change that is not a pure addition.
 */
export const SCHEMA_VERSION = 2;

export type ColumnType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'string' | 'empty';

export interface ProfileReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly generator: 'uplock-profile';
  readonly file: FileFacts;
  readonly columns: readonly ColumnReport[];
  readonly warnings: readonly Warning[];
  /** v2: who the report is for and how it was made. */
  readonly meta: ReportMeta;
  /** v2: Pearson (and Spearman, where every value is held) between numeric columns. */
  readonly correlations: Correlations | null;
  /** v2: which columns are missing together: the most common sets of missing columns. */
  readonly missingPatterns: readonly MissingPattern[];
  /** v2: the first rows and a random sample of rows, as text (null = missing cell). */
  readonly sample: { readonly first: ReadonlyArray<ReadonlyArray<string | null>>; readonly random: ReadonlyArray<ReadonlyArray<string | null>> };
}

export interface ReportMeta {
  /** ISO 8601 time the report was generated. */
  readonly generatedAt: string;
  readonly orderId: string | null;
  /** Language of report.html (report.json's `message` texts stay English). */
  readonly lang: ReportLang;
  /** The memory budget the exact figures had (MB). */
  readonly memoryBudgetMb: number;
  /** Every figure of the report is exact. */
  readonly exact: boolean;
}

export type ReportLang = 'en' | 'ja';

export interface Correlations {
  readonly columns: readonly string[];
  /** Matrix in `columns` order; null where a pair has fewer than 3 rows with both values or no variance. */
  readonly pearson: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Spearman's rank correlation; null when not computed (rows not all held). */
  readonly spearman: ReadonlyArray<ReadonlyArray<number | null>> | null;
  /** Rows the correlations cover (all rows while exact, else the held first rows). */
  readonly rows: number;
  readonly exact: boolean;
}

export interface MissingPattern {
  /** Names of the columns missing together in these rows. */
  readonly columns: readonly string[];
  readonly rows: number;
}

export interface FileFacts {
  readonly name: string;
  readonly bytes: number;
  /** `json` (v2): a JSON array of records. */
  readonly format: 'csv' | 'jsonl' | 'json';
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
  /** v2: the column's text lengths and character classes (null when its values are not all held). */
  readonly text: TextStats | null;
  /** v2: counts per year, month, weekday (date and datetime columns whose values are all held). */
  readonly dates: DateBreakdown | null;
  /** v2: numbers written with thousands separators or a decimal comma, read as numbers. */
  readonly numberFormat: 'plain' | 'thousands_separators' | 'decimal_comma' | null;
  /** v2: digit codes with leading zeros (ZIP codes like 00501) made this a text column. */
  readonly leadingZeroCodes: boolean;
}

export interface TextStats {
  /** Length in characters: equal-width bins [from, to), the last includes `to`. */
  readonly lengthHistogram: readonly { readonly from: number; readonly to: number; readonly count: number }[];
  readonly meanLength: number;
  /** Values containing at least one character of the class. */
  readonly containing: Readonly<Record<'letters' | 'digits' | 'spaces' | 'punctuation' | 'other', number>>;
  /** Values that are entirely upper case, lower case (letters only counted). */
  readonly upperCase: number;
  readonly lowerCase: number;
  readonly exact: true;
}

export interface DateBreakdown {
  readonly years: readonly { readonly year: number; readonly count: number }[];
  /** Index 0 = January. */
  readonly months: readonly number[];
  /** Index 0 = Monday. */
  readonly weekdays: readonly number[];
  readonly exact: true;
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
  /** v2: the mean is floating-point noise around 0 (|mean| ≤ count · 2⁻⁵² · max(|min|, |max|)), shown as 0. */
  readonly meanIsNoise: boolean;
  /** v2: values equal to 0, below 0 (null when not exact). */
  readonly zeros: number | null;
  readonly negatives: number | null;
  /** v2: the 5 smallest and 5 largest values (with repeats), null when not exact. */
  readonly smallest: readonly number[] | null;
  readonly largest: readonly number[] | null;
  /** v2: date-times written without a zone (kept as wall-clock time; epoch_ms then reads the wall clock as UTC). null for numbers. */
  readonly zoned: boolean | null;
  /** v2: min, max and quantiles as text: ISO 8601 for instants (no `Z` when `zoned` is false). */
  readonly text: Readonly<Record<'min' | 'max' | 'p1' | 'p5' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99', string>>;
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
  | 'no_header'
  | 'number_format'
  | 'estimated';

export interface Warning {
  readonly code: WarningCode;
  /** Column name, for column warnings. */
  readonly column: string | null;
  /** English text (v1); v2 readers render their own sentence from `code` and `params`. */
  readonly message: string;
  /** v2: the numbers and names the sentence is made of (stable per code, see docs/processor.md). */
  readonly params: Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number>>>;
}
