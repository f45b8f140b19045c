import type { ColumnProfile } from './column-profile';
import type { DataProfiler } from './data-profiler';
import { DELIMITER_NAMES, type Dialect } from './dialect';
import type { KllSketch } from './kll-sketch';
import type { ColumnReport, ColumnType, NumericStats, ProfileReport, Warning } from './report-model';
import { SCHEMA_VERSION } from './report-model';
import type { RunningStats } from './running-stats';
import { ValueKind } from './value-parser';

const TOP_VALUES = 10;
const HISTOGRAM_BINS = 20;
/** A type is chosen when at least this share of the non-missing values fits it. */
const TYPE_THRESHOLD = 0.9;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const count = (n: number): string => COUNT_FORMAT.format(n);

export interface ScanFacts {
  readonly fileName: string;
  readonly bytes: number;
  readonly encoding: string;
  readonly dialect: Dialect;
  readonly malformedQuotedFields: number;
  readonly invalidJsonLines: number;
  readonly invalidJsonExamples: readonly number[];
}

export function buildReport(profiler: DataProfiler, facts: ScanFacts): ProfileReport {
  const columns = profiler.columns.map((column, index) => columnReport(column, index, profiler.rows));
  const duplicates = profiler.duplicates;
  const csv = facts.dialect.format === 'csv';
  const file = {
    name: facts.fileName,
    bytes: facts.bytes,
    format: facts.dialect.format,
    delimiter: csv ? String.fromCharCode(facts.dialect.delimiter) : null,
    delimiterName: csv ? (DELIMITER_NAMES[facts.dialect.delimiter] ?? null) : null,
    encoding: facts.encoding,
    hasHeader: profiler.hasHeader,
    rows: profiler.rows,
    columns: columns.length,
    duplicateRows: { count: duplicates.duplicates, exact: duplicates.exact },
    raggedRows: { short: profiler.shortRows, long: profiler.longRows, examples: [...profiler.raggedExamples] },
    malformedQuotedFields: facts.malformedQuotedFields,
    invalidJsonLines: facts.invalidJsonLines,
  };
  const warnings: Warning[] = [];
  const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
  if (!profiler.hasHeader) {
    warnings.push({ code: 'no_header', column: null, message: 'The first row looks like data, not column names, so the columns are named column_1, column_2, …' });
  }
  const ragged = profiler.shortRows + profiler.longRows;
  if (ragged > 0) {
    warnings.push({
      code: 'ragged_rows',
      column: null,
      message: `${plural(ragged, 'row')} do not have ${plural(columns.length, 'field')} like the header (${count(profiler.shortRows)} shorter: missing fields counted as missing; ${count(profiler.longRows)} longer: extra fields ignored). First at data row${profiler.raggedExamples.length === 1 ? '' : 's'} ${profiler.raggedExamples.join(', ')}.`,
    });
  }
  if (file.duplicateRows.count > 0) {
    const share = profiler.rows > 0 ? file.duplicateRows.count / profiler.rows : 0;
    warnings.push({
      code: 'duplicate_rows',
      column: null,
      message: `${file.duplicateRows.exact ? '' : 'About '}${plural(file.duplicateRows.count, 'row')} (${percent(share)}) repeat an earlier row exactly.`,
    });
  }
  if (facts.malformedQuotedFields > 0) {
    warnings.push({ code: 'malformed_quotes', column: null, message: `${plural(facts.malformedQuotedFields, 'quoted field')} had text after the closing quote; that text was ignored.` });
  }
  if (facts.invalidJsonLines > 0) {
    warnings.push({
      code: 'invalid_json_lines',
      column: null,
      message: `${plural(facts.invalidJsonLines, 'line')} are not JSON objects and were skipped (first at line ${facts.invalidJsonExamples.join(', ')}).`,
    });
  }
  for (const c of columns) warnings.push(...columnWarnings(c, profiler.rows));
  return { schemaVersion: SCHEMA_VERSION, generator: 'uplock-profile', file, columns, warnings };
}

function columnReport(column: ColumnProfile, index: number, rows: number): ColumnReport {
  const k = column.kinds;
  const kinds = {
    integer: k[ValueKind.Integer] as number,
    decimal: k[ValueKind.Decimal] as number,
    boolean: k[ValueKind.Boolean] as number,
    date: k[ValueKind.Date] as number,
    datetime: k[ValueKind.DateTime] as number,
    string: k[ValueKind.String] as number,
  };
  const nonMissing = column.count - column.missing;
  const { type, fits } = inferType(kinds, nonMissing);
  let stats: NumericStats | null = null;
  if ((type === 'integer' || type === 'decimal') && column.numericSketch !== undefined) {
    stats = numericStats(column.numeric, column.numericSketch, 'number', type === 'integer');
  } else if ((type === 'date' || type === 'datetime') && column.temporalSketch !== undefined) {
    stats = numericStats(column.temporal, column.temporalSketch, 'epoch_ms', false);
  }
  const nonConforming: string[] = [];
  if (type !== 'string' && type !== 'empty') {
    const fitting = new Set(fittingKinds(type));
    for (let kind = ValueKind.Integer; kind <= ValueKind.String; kind++) {
      if (!fitting.has(kind)) nonConforming.push(...(column.samples[kind] as string[]));
    }
  }
  return {
    index,
    name: column.name,
    type,
    typeShare: nonMissing > 0 ? fits / nonMissing : 0,
    kinds,
    count: column.count,
    missing: column.missing,
    missingShare: rows > 0 ? column.missing / rows : 0,
    distinct: column.distinct,
    length: nonMissing > 0 ? { min: column.minLength, max: column.maxLength } : null,
    stats,
    boolean: type === 'boolean' ? { true: column.booleanTrue, false: kinds.boolean - column.booleanTrue } : null,
    topValues: column.top.top(TOP_VALUES),
    topValuesExact: !column.top.evicted,
    nonConforming: nonConforming.slice(0, 3),
  };
}

function fittingKinds(type: ColumnType): ValueKind[] {
  switch (type) {
    case 'integer':
      return [ValueKind.Integer];
    case 'decimal':
      return [ValueKind.Integer, ValueKind.Decimal];
    case 'boolean':
      return [ValueKind.Boolean];
    case 'date':
      return [ValueKind.Date];
    case 'datetime':
      return [ValueKind.Date, ValueKind.DateTime];
    case 'string':
    case 'empty':
      return [];
  }
}

/**
 * The most specific type that every value fits; failing that, the one most values fit if at
 * least 90 % do (the rest are reported as non-conforming); otherwise string.
 */
export function inferType(kinds: ColumnReport['kinds'], nonMissing: number): { type: ColumnType; fits: number } {
  if (nonMissing === 0) return { type: 'empty', fits: 0 };
  const candidates: Array<[ColumnType, number]> = [
    ['boolean', kinds.boolean],
    ['integer', kinds.integer],
    ['decimal', kinds.integer + kinds.decimal],
    ['date', kinds.date],
    ['datetime', kinds.date + kinds.datetime],
  ];
  for (const [type, fits] of candidates) if (fits === nonMissing) return { type, fits };
  let best: [ColumnType, number] = ['string', 0];
  for (const candidate of candidates) if (candidate[1] > best[1]) best = candidate;
  if (best[1] >= TYPE_THRESHOLD * nonMissing) return { type: best[0], fits: best[1] };
  return { type: 'string', fits: nonMissing };
}

function numericStats(running: RunningStats, sketch: KllSketch, unit: NumericStats['unit'], integer: boolean): NumericStats {
  const q = sketch.quantiles(QUANTILES);
  const { values, weights } = sketch.weightedItems();
  // The sketch's weights can fall short of n by a partly sampled block: scale counts up to n.
  let weightTotal = 0;
  for (const w of weights) weightTotal += w;
  if (weightTotal > 0 && weightTotal !== running.count) {
    const scale = running.count / weightTotal;
    for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] as number) * scale;
  }
  const [p1, p5, p25, p50, p75, p95, p99] = q as [number, number, number, number, number, number, number];
  const iqr = p75 - p25;
  const lowFence = p25 - 3 * iqr;
  const highFence = p75 + 3 * iqr;
  let low = 0;
  let high = 0;
  if (iqr > 0) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v < lowFence) low += weights[i] as number;
      else if (v > highFence) high += weights[i] as number;
    }
  }
  return {
    unit,
    count: running.count,
    min: running.min,
    max: running.max,
    mean: running.mean,
    stddev: running.count > 1 ? running.stddev : null,
    quantiles: { p1, p5, p25, p50, p75, p95, p99 },
    histogram: histogram(values, weights, running.min, running.max, integer),
    outliers: { low, high, lowFence, highFence },
    exactQuantiles: sketch.exact,
  };
}

/** Equal-width bins over [min, max]; integer columns with a small range get one bin per value. */
function histogram(values: Float64Array, weights: Float64Array, min: number, max: number, integer: boolean): NumericStats['histogram'] {
  if (values.length === 0) return [];
  if (min === max) return [{ from: min, to: max, count: weights.reduce((a, b) => a + b, 0) }];
  const span = max - min;
  const bins = integer && span + 1 <= HISTOGRAM_BINS ? span + 1 : HISTOGRAM_BINS;
  const width = integer && span + 1 <= HISTOGRAM_BINS ? 1 : span / bins;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    let b = Math.floor(((values[i] as number) - min) / width);
    if (b >= bins) b = bins - 1;
    if (b < 0) b = 0;
    counts[b] = (counts[b] as number) + (weights[i] as number);
  }
  return Array.from(counts, (count, i) => ({ from: min + i * width, to: i === bins - 1 && width !== 1 ? max : min + (i + 1) * width, count }));
}

function columnWarnings(c: ColumnReport, rows: number): Warning[] {
  const out: Warning[] = [];
  const warn = (code: Warning['code'], message: string): void => {
    out.push({ code, column: c.name, message });
  };
  const nonMissing = c.count - c.missing;
  if (rows > 0 && nonMissing === 0) {
    warn('empty_column', 'Every value is missing.');
    return out;
  }
  if (c.missingShare >= 0.5) warn('mostly_missing', `${percent(c.missingShare)} of the values are missing.`);
  if (c.distinct.value === 1 && rows > 1) warn('constant', `Every non-missing value is the same${c.topValues[0] ? ` (${quoteValue(c.topValues[0].value)})` : ''}.`);
  if (c.type !== 'string' && c.typeShare < 1) {
    warn('mixed_types', `${percent(1 - c.typeShare)} of the values are not ${c.type === 'integer' ? 'integers' : c.type === 'decimal' ? 'numbers' : `${c.type}s`} (for example ${c.nonConforming.map(quoteValue).join(', ')}).`);
  } else if (c.type === 'string') {
    const typed = c.kinds.integer + c.kinds.decimal + c.kinds.date + c.kinds.datetime + c.kinds.boolean;
    if (typed >= 0.1 * nonMissing) warn('mixed_types', `${percent(typed / nonMissing)} of the values look like numbers, dates or booleans, the rest are text.`);
  }
  if (nonMissing >= 20 && c.distinct.value >= 0.99 * nonMissing && (c.type === 'integer' || c.type === 'string')) {
    warn('suspected_id', 'Almost every value is different: this looks like an identifier, not a measurement.');
  }
  if (c.stats !== null && c.stats.unit === 'number') {
    const n = Math.round(c.stats.outliers.low + c.stats.outliers.high);
    if (n > 0) warn('outliers', `${c.stats.exactQuantiles ? '' : 'About '}${count(n)} value${n === 1 ? ' lies' : 's lie'} far outside the typical range (beyond 3 × the interquartile range from the quartiles).`);
  }
  return out;
}

function percent(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)} %`;
}

function quoteValue(v: string): string {
  return `“${v}”`;
}
