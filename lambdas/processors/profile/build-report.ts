import type { ColumnProfile } from './column-profile';
import type { DataProfiler } from './data-profiler';
import { DELIMITER_NAMES, type Dialect } from './dialect';
import type { KllSketch } from './kll-sketch';
import { type ExactNumbers, type ExactValues, KEY_DATE, KEY_NUMBER } from './exact-values';
import { symmetric } from './correlation';
import { RadixSorter, type RankArray, rankArray } from './radix-sort';
import type {
  ColumnReport,
  ColumnType,
  Correlations,
  DateBreakdown,
  MissingPattern,
  NumericStats,
  ProfileReport,
  ReportLang,
  TextStats,
  TopValueReport,
  Warning,
  WarningCode,
} from './report-model';
import { SCHEMA_VERSION } from './report-model';
import { warningText } from './report-text';
import type { RowExtras } from './row-extras';
import { LABEL_BYTES } from './top-values';
import type { RunningStats } from './running-stats';
import { ValueKind } from './value-parser';

const TOP_VALUES = 10;
const HISTOGRAM_BINS = 20;
/** A type is chosen when at least this share of the non-missing values fits it. */
const TYPE_THRESHOLD = 0.9;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

export interface ScanFacts {
  readonly fileName: string;
  readonly bytes: number;
  readonly encoding: string;
  readonly dialect: Dialect;
  readonly malformedQuotedFields: number;
  readonly invalidJsonLines: number;
  readonly invalidJsonExamples: readonly number[];
}

export interface ReportOptions {
  readonly lang: ReportLang;
  readonly orderId: string | null;
  readonly generatedAt: string;
  readonly memoryBudgetMb: number;
}

export function buildReport(profiler: DataProfiler, facts: ScanFacts, options: ReportOptions): ProfileReport {
  // One sorter for every column's numbers and dates: they share its scratch arrays.
  const sorter = new RadixSorter();
  const rankable = keepOrderForRanks(profiler);
  // Pearson reads the columns by row, which for some is their numbers in arrival order: before the sorts.
  const pearson = pearsonMatrix(profiler.extras);
  const columns = profiler.columns.map((column, index) => columnReport(column, index, profiler.rows, sorter));
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
    duplicateRows: { count: duplicates.count(sorter), exact: duplicates.exact },
    raggedRows: { short: profiler.shortRows, long: profiler.longRows, examples: [...profiler.raggedExamples] },
    malformedQuotedFields: facts.malformedQuotedFields,
    invalidJsonLines: facts.invalidJsonLines,
  };
  const warnings: Warning[] = [];
  const add = (code: WarningCode, column: string | null, params: Warning['params']): void => {
    warnings.push({ code, column, params, message: warningText('en', code, params) });
  };
  const exact =
    file.duplicateRows.exact &&
    columns.every((c) => c.distinct.exact && c.topValuesExact && (c.stats === null || c.stats.exactQuantiles));
  if (!exact) add('estimated', null, { budgetMb: options.memoryBudgetMb });
  if (!profiler.hasHeader) add('no_header', null, {});
  const ragged = profiler.shortRows + profiler.longRows;
  if (ragged > 0) {
    add('ragged_rows', null, { rows: ragged, short: profiler.shortRows, long: profiler.longRows, fields: columns.length, examples: [...profiler.raggedExamples] });
  }
  if (file.duplicateRows.count > 0) {
    add('duplicate_rows', null, { rows: file.duplicateRows.count, share: profiler.rows > 0 ? file.duplicateRows.count / profiler.rows : 0, exact: file.duplicateRows.exact });
  }
  if (facts.malformedQuotedFields > 0) add('malformed_quotes', null, { fields: facts.malformedQuotedFields });
  if (facts.invalidJsonLines > 0) {
    add('invalid_json_lines', null, { lines: facts.invalidJsonLines, examples: [...facts.invalidJsonExamples], unit: facts.dialect.format === 'json' ? 'record' : 'line' });
  }
  for (const c of columns) for (const [code, params] of columnWarnings(c, profiler.rows, profiler.columns[c.index] as ColumnProfile)) add(code, c.name, params);
  const extras = profiler.extras;
  return {
    schemaVersion: SCHEMA_VERSION,
    generator: 'uplock-profile',
    file,
    columns,
    warnings,
    meta: { generatedAt: options.generatedAt, orderId: options.orderId, lang: options.lang, memoryBudgetMb: options.memoryBudgetMb, exact },
    correlations: correlations(extras, columns, pearson, rankable, sorter),
    missingPatterns: missingPatterns(extras, columns),
    sample: { first: extras.first, random: extras.random },
  };
}

/**
 * The correlation columns whose held numbers are, in order, the numbers of their row-aligned
 * array (always, unless the budget dropped one of them): their sort keeps each value's arrival
 * position, and their Spearman ranks come from that sort instead of a second one.
 */
function keepOrderForRanks(profiler: DataProfiler): Map<number, ExactNumbers> {
  const out = new Map<number, ExactNumbers>();
  const extras = profiler.extras;
  if (extras.truncated) return out;
  extras.aligned.forEach((values, c) => {
    const numbers = (profiler.columns[c] as ColumnProfile | undefined)?.exactNumbers;
    if (values === null || numbers === undefined) return;
    if (extras.dense[c] === numbers) {
      numbers.keepOrder = true;
      out.set(c, numbers);
      return;
    }
    const held = numbers.values;
    let k = 0;
    for (let r = 0; r < extras.alignedRows; r++) {
      const v = values[r] as number;
      if (v !== v) continue;
      if (k === numbers.length || !Object.is(held[k], v)) return;
      k++;
    }
    if (k !== numbers.length) return;
    numbers.keepOrder = true;
    out.set(c, numbers);
  });
  return out;
}

function columnReport(column: ColumnProfile, index: number, rows: number, sorter: RadixSorter): ColumnReport {
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
  let { type, fits } = inferType(kinds, nonMissing);
  // Codes with leading zeros (ZIP 00501) are text to the cell parser; a column of numbers whose
  // other values are such codes is a column of codes: text, no statistics.
  const strings = column.samples[ValueKind.String] as string[];
  const codes = (type === 'integer' || type === 'decimal') && fits < nonMissing && strings.length > 0 && strings.every((t) => LEADING_ZERO.test(t));
  if (codes) {
    type = 'string';
    fits = nonMissing;
  }
  let stats: NumericStats | null = null;
  let dates: DateBreakdown | null = null;
  if (type === 'integer' || type === 'decimal') {
    stats = numericStats(column.numeric, column.exactNumbers?.sorted(sorter), column.numericSketch, 'number', type === 'integer', null);
  } else if (type === 'date' || type === 'datetime') {
    const zoned = type === 'datetime' && (column.samples[ValueKind.DateTime] as string[]).some((t) => ZONE.test(t));
    const sorted = column.exactDates?.sorted(sorter);
    stats = numericStats(column.temporal, sorted, column.temporalSketch, 'epoch_ms', false, type === 'date' ? false : zoned);
    if (sorted !== undefined) dates = dateBreakdown(sorted);
  }
  const nonConforming: string[] = [];
  if (type !== 'string' && type !== 'empty') {
    const fitting = new Set(fittingKinds(type));
    for (let kind = ValueKind.Integer; kind <= ValueKind.String; kind++) {
      if (!fitting.has(kind)) nonConforming.push(...(column.samples[kind] as string[]));
    }
  }
  const exact = column.exactValues;
  let distinct = column.distinct;
  let topValues: TopValueReport[] = column.top.top(TOP_VALUES);
  let topValuesExact = !column.top.evicted;
  if (exact !== undefined) {
    const counted = exactCounts(exact, type, column, stats?.zoned ?? null, sorter);
    distinct = counted.distinct;
    topValues = counted.top;
    topValuesExact = counted.distinct.exact;
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
    distinct,
    length: nonMissing > 0 ? { min: column.minLength, max: column.maxLength } : null,
    stats,
    boolean: type === 'boolean' ? { true: column.booleanTrue, false: kinds.boolean - column.booleanTrue } : null,
    topValues,
    topValuesExact,
    nonConforming: nonConforming.slice(0, 3),
    // Text columns only: classifying every character of millions of numbers costs seconds.
    text: exact !== undefined && nonMissing > 0 && type === 'string' ? textStats(exact, column.minLength, column.maxLength) : null,
    dates,
    numberFormat: type === 'integer' || type === 'decimal' ? (column.thousandsCells > 0 ? 'thousands_separators' : column.decimalCommaCells > 0 ? 'decimal_comma' : 'plain') : null,
    leadingZeroCodes: codes,
  };
}

/** Digits with a leading zero: a code, not a number. */
const LEADING_ZERO = /^\s*[+-]?0\d+\s*$/;

/** A date-time written with a zone: Z or an offset at its end. */
const ZONE = /(?:[zZ]|[+-]\d\d:?\d\d)\s*$/;

const decoder = new TextDecoder();

function labelOf(bytes: Uint8Array): { value: string; truncated: boolean } {
  if (bytes.length <= LABEL_BYTES) return { value: decoder.decode(bytes), truncated: false };
  let stop = LABEL_BYTES;
  while (stop > 0 && ((bytes[stop] as number) & 0xc0) === 0x80) stop--;
  return { value: decoder.decode(bytes.subarray(0, stop)), truncated: true };
}

function exactTop(exact: ExactValues, skipTag = -1): TopValueReport[] {
  return exact.topEntries(TOP_VALUES, skipTag).map((e) => ({ ...labelOf(exact.label(e)), count: exact.count(e), error: 0 }));
}

const byCountThenValue = (a: TopValueReport, b: TopValueReport): number => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/**
 * Distinct count and top values from the exact table. A text column counts values as written;
 * a number or date column counts its numbers (dates) by value, from their sorted array (1.50 and
 * 1.5 are one value, as in a database), plus the other values as written.
 */
function exactCounts(exact: ExactValues, type: ColumnType, column: ColumnProfile, zoned: boolean | null, sorter: RadixSorter): { distinct: { value: number; exact: boolean }; top: TopValueReport[] } {
  const numeric = type === 'integer' || type === 'decimal';
  const temporal = type === 'date' || type === 'datetime';
  if (!numeric && !temporal) return { distinct: { value: exact.size, exact: true }, top: exactTop(exact) };
  const tag = numeric ? KEY_NUMBER : KEY_DATE;
  const sorted = numeric ? column.exactNumbers?.sorted(sorter) : column.exactDates?.sorted(sorter);
  let others = 0;
  for (let e = 0; e < exact.size; e++) if (exact.tag(e) !== tag) others++;
  if (sorted === undefined) {
    // The values themselves did not fit: count as written, which can split 1.5 and 1.50.
    return { distinct: { value: exact.size, exact: false }, top: exactTop(exact) };
  }
  const label = (v: number): string => (numeric ? String(v) : instantText(v, zoned));
  const runs: Array<{ value: number; count: number }> = [];
  let distinctValues = 0;
  for (let i = 0; i < sorted.length; ) {
    const v = sorted[i] as number;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    distinctValues++;
    const count = j - i;
    // Keep the runs that can still make the top list (a sorted insert into ≤ TOP_VALUES).
    if (runs.length < TOP_VALUES || count > (runs[runs.length - 1] as { count: number }).count) {
      let k = runs.length < TOP_VALUES ? runs.length : TOP_VALUES - 1;
      runs[k] = { value: v, count };
      while (k > 0 && (runs[k - 1] as { count: number }).count < count) {
        runs[k] = runs[k - 1] as { value: number; count: number };
        runs[k - 1] = { value: v, count };
        k--;
      }
    }
    i = j;
  }
  // Ties: numbers (dates) in ascending order, then the other values as text.
  const byValue = runs.map((r) => ({ value: label(r.value), truncated: false, count: r.count, error: 0 }));
  const top = [...byValue, ...exactTop(exact, tag).sort(byCountThenValue)];
  top.sort((a, b) => b.count - a.count);
  return { distinct: { value: distinctValues + others, exact: true }, top: top.slice(0, TOP_VALUES) };
}

const LENGTH_BINS = 10;

const LETTER = 0;
const DIGIT = 1;
const SPACE = 2;
const PUNCTUATION = 3;
const OTHER = 4;

function characterClass(ch: string): number {
  if (/\p{L}/u.test(ch)) return LETTER;
  if (/\p{Nd}/u.test(ch)) return DIGIT;
  if (/\s/u.test(ch)) return SPACE;
  if (/[\p{P}\p{S}]/u.test(ch)) return PUNCTUATION;
  return OTHER;
}

/** The class of every ASCII character, from the same tests (most text is ASCII; a regex per character costs). */
const ASCII_CLASSES = Uint8Array.from({ length: 128 }, (_, c) => characterClass(String.fromCharCode(c)));

/** Lengths and character classes, over every value (each distinct value weighted by its count). */
function textStats(exact: ExactValues, minLength: number, maxLength: number): TextStats {
  const span = maxLength - minLength;
  const bins = span + 1 <= LENGTH_BINS ? span + 1 : LENGTH_BINS;
  const width = span + 1 <= LENGTH_BINS ? 1 : (span + 1) / bins;
  const counts = new Array<number>(bins).fill(0);
  const containing = { letters: 0, digits: 0, spaces: 0, punctuation: 0, other: 0 };
  let upperCase = 0;
  let lowerCase = 0;
  let lengthSum = 0;
  let values = 0;
  for (let e = 0; e < exact.size; e++) {
    const n = exact.count(e);
    const text = decoder.decode(exact.label(e)).trim();
    let length = 0;
    let letters = false;
    let digits = false;
    let spaces = false;
    let punctuation = false;
    let other = false;
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // One character per code unit: classes from the table the same tests made.
      length = text.length;
      for (let i = 0; i < length; i++) {
        const c = ASCII_CLASSES[text.charCodeAt(i)] as number;
        if (c === LETTER) letters = true;
        else if (c === DIGIT) digits = true;
        else if (c === SPACE) spaces = true;
        else if (c === PUNCTUATION) punctuation = true;
        else other = true;
      }
    } else {
      for (const ch of text) {
        length++;
        const c = characterClass(ch);
        if (c === LETTER) letters = true;
        else if (c === DIGIT) digits = true;
        else if (c === SPACE) spaces = true;
        else if (c === PUNCTUATION) punctuation = true;
        else other = true;
      }
    }
    values += n;
    lengthSum += length * n;
    const b = Math.min(bins - 1, Math.max(0, Math.floor((length - minLength) / width)));
    counts[b] = (counts[b] as number) + n;
    if (letters) containing.letters += n;
    if (digits) containing.digits += n;
    if (spaces) containing.spaces += n;
    if (punctuation) containing.punctuation += n;
    if (other) containing.other += n;
    if (letters && text === text.toUpperCase() && text !== text.toLowerCase()) upperCase += n;
    if (letters && text === text.toLowerCase() && text !== text.toUpperCase()) lowerCase += n;
  }
  const lengthHistogram = counts.map((count, i) => ({
    from: width === 1 ? minLength + i : Math.round((minLength + i * width) * 100) / 100,
    to: width === 1 ? minLength + i + 1 : i === bins - 1 ? maxLength : Math.round((minLength + (i + 1) * width) * 100) / 100,
    count,
  }));
  return { lengthHistogram, meanLength: values > 0 ? lengthSum / values : 0, containing, upperCase, lowerCase, exact: true };
}

/** Year, month and weekday counts of instants (zone-less ones read as wall-clock time). */
function dateBreakdown(sorted: Float64Array): DateBreakdown {
  const years = new Map<number, number>();
  const months = new Array<number>(12).fill(0);
  const weekdays = new Array<number>(7).fill(0);
  // Once per run of equal instants (the values are sorted): dates repeat.
  for (let i = 0; i < sorted.length; ) {
    const ms = sorted[i] as number;
    let j = i + 1;
    while (j < sorted.length && Object.is(sorted[j], ms)) j++;
    const n = j - i;
    i = j;
    const d = new Date(ms);
    const y = d.getUTCFullYear();
    years.set(y, (years.get(y) ?? 0) + n);
    months[d.getUTCMonth()] = (months[d.getUTCMonth()] as number) + n;
    const w = (d.getUTCDay() + 6) % 7;
    weekdays[w] = (weekdays[w] as number) + n;
  }
  return { years: [...years].map(([year, count]) => ({ year, count })), months, weekdays, exact: true };
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

/** The q-quantile of sorted values: the smallest value whose cumulative share reaches q (as the sketch). */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

/** First index whose value is >= x (sorted ascending). */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function numericStats(
  running: RunningStats,
  sorted: Float64Array | undefined,
  sketch: KllSketch | undefined,
  unit: NumericStats['unit'],
  integer: boolean,
  zoned: boolean | null,
): NumericStats {
  let qs: number[];
  let histogramBins: NumericStats['histogram'];
  let low = 0;
  let high = 0;
  let extremes: Pick<NumericStats, 'zeros' | 'negatives' | 'smallest' | 'largest'> = { zeros: null, negatives: null, smallest: null, largest: null };
  const exact = sorted !== undefined;
  if (sorted !== undefined) {
    qs = QUANTILES.map((q) => exactQuantile(sorted, q));
  } else {
    qs = (sketch as KllSketch).quantiles(QUANTILES);
  }
  const [p1, p5, p25, p50, p75, p95, p99] = qs as [number, number, number, number, number, number, number];
  const iqr = p75 - p25;
  const lowFence = p25 - 3 * iqr;
  const highFence = p75 + 3 * iqr;
  if (sorted !== undefined) {
    histogramBins = histogram(sorted, undefined, running.min, running.max, integer);
    if (iqr > 0) {
      low = lowerBound(sorted, lowFence);
      high = sorted.length - upperBound(sorted, highFence);
    }
    const negatives = lowerBound(sorted, 0);
    extremes = {
      zeros: upperBound(sorted, 0) - negatives,
      negatives,
      smallest: Array.from(sorted.subarray(0, 5)),
      largest: Array.from(sorted.subarray(Math.max(0, sorted.length - 5))).reverse(),
    };
  } else {
    const { values, weights } = (sketch as KllSketch).weightedItems();
    // The sketch's weights can fall short of n by a partly sampled block: scale counts up to n.
    let weightTotal = 0;
    for (const w of weights) weightTotal += w;
    if (weightTotal > 0 && weightTotal !== running.count) {
      const scale = running.count / weightTotal;
      for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] as number) * scale;
    }
    histogramBins = histogram(values, weights, running.min, running.max, integer);
    if (iqr > 0) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (v < lowFence) low += weights[i] as number;
        else if (v > highFence) high += weights[i] as number;
      }
    }
    low = Math.round(low);
    high = Math.round(high);
  }
  const scale = Math.max(Math.abs(running.min), Math.abs(running.max));
  const meanIsNoise = running.mean !== 0 && Math.abs(running.mean) <= running.count * Number.EPSILON * scale;
  const asText = (v: number): string => (unit === 'number' ? String(v) : instantText(v, zoned));
  return {
    unit,
    count: running.count,
    min: running.min,
    max: running.max,
    mean: running.mean,
    stddev: running.count > 1 ? running.stddev : null,
    quantiles: { p1, p5, p25, p50, p75, p95, p99 },
    histogram: histogramBins,
    outliers: { low, high, lowFence, highFence },
    exactQuantiles: exact,
    meanIsNoise,
    ...extremes,
    zoned,
    text: {
      min: asText(running.min),
      max: asText(running.max),
      p1: asText(p1),
      p5: asText(p5),
      p25: asText(p25),
      p50: asText(p50),
      p75: asText(p75),
      p95: asText(p95),
      p99: asText(p99),
    },
  };
}

/** ISO 8601 text of an instant; without a zone (wall-clock time) when the column had none. */
export function instantText(ms: number, zoned: boolean | null): string {
  if (!Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  if (zoned === false && iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  const trimmed = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  return zoned === true ? trimmed : trimmed.slice(0, -1);
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bin edges: one bin per value for integer columns whose range spans at most 20 values, else 20
 * equal-width bins over [min, max], each inner edge rounded to 12 significant digits so that the
 * edge written in report.json is the edge used. A value goes to the bin whose [from, to) holds it;
 * the last bin also holds max.
 */
export function binEdges(min: number, max: number, integer: boolean): number[] {
  const span = max - min;
  if (integer && span + 1 <= HISTOGRAM_BINS) return Array.from({ length: span + 2 }, (_, i) => min + i);
  const edges = [min];
  for (let i = 1; i < HISTOGRAM_BINS; i++) edges.push(Number((min + (span * i) / HISTOGRAM_BINS).toPrecision(12)));
  edges.push(max);
  return edges;
}

/** Counts per bin; `weights` for the sketch's items (then rounded to whole counts that add up to n). */
function histogram(values: Float64Array, weights: Float64Array | undefined, min: number, max: number, integer: boolean): NumericStats['histogram'] {
  if (values.length === 0) return [];
  if (min === max) {
    let total = 0;
    if (weights === undefined) total = values.length;
    else for (const w of weights) total += w;
    return [{ from: min, to: max, count: Math.round(total) }];
  }
  const edges = binEdges(min, max, integer);
  const bins = edges.length - 1;
  if (weights === undefined && ascendingFinite(edges) && !Number.isNaN(values[values.length - 1])) {
    // Sorted values: each bin is the run between the first values reaching its edges (the
    // binary search below gives every value the bin these runs give it).
    const out: Array<{ from: number; to: number; count: number }> = [];
    let from = 0;
    for (let b = 0; b < bins; b++) {
      const to = b === bins - 1 ? values.length : lowerBound(values, edges[b + 1] as number);
      out.push({ from: edges[b] as number, to: edges[b + 1] as number, count: to - from });
      from = to;
    }
    return out;
  }
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    // Largest b with edges[b] <= v, at most the last bin.
    let lo = 0;
    let hi = bins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((edges[mid] as number) <= v) lo = mid;
      else hi = mid - 1;
    }
    counts[lo] = (counts[lo] as number) + (weights === undefined ? 1 : (weights[i] as number));
  }
  const rounded = weights === undefined ? Array.from(counts) : roundedCounts(counts);
  return rounded.map((count, i) => ({ from: edges[i] as number, to: edges[i + 1] as number, count }));
}

function ascendingFinite(edges: readonly number[]): boolean {
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as number;
    if (!Number.isFinite(e) || (i > 0 && e < (edges[i - 1] as number))) return false;
  }
  return true;
}

/** Whole counts that keep the total (largest remainders get the rounding). */
function roundedCounts(counts: Float64Array): number[] {
  let total = 0;
  for (const c of counts) total += c;
  const target = Math.round(total);
  const floors = Array.from(counts, Math.floor);
  let left = target - floors.reduce((a, b) => a + b, 0);
  const order = Array.from(counts, (c, i) => [c - Math.floor(c), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    left--;
  }
  return floors;
}

/** A column named like an identifier: id, key, code, uuid, no, number (alone or as a suffix). */
const ID_NAME = /(?:^|[\s_\-.])(?:id|key|code|uuid|guid|no|nr|number|iata|icao|zip|sku)$|(?:[a-z]Id|ID)$/i;

function columnWarnings(c: ColumnReport, rows: number, profile: ColumnProfile): Array<[WarningCode, Warning['params']]> {
  const out: Array<[WarningCode, Warning['params']]> = [];
  const nonMissing = c.count - c.missing;
  if (rows > 0 && nonMissing === 0) return [['empty_column', {}]];
  if (c.missingShare >= 0.5) out.push(['mostly_missing', { share: c.missingShare }]);
  if (c.distinct.value === 1 && rows > 1) out.push(['constant', { value: c.topValues[0]?.value ?? '' }]);
  if (c.type !== 'string' && c.typeShare < 1) {
    out.push(['mixed_types', { share: 1 - c.typeShare, type: c.type, examples: [...c.nonConforming] }]);
  } else if (c.type === 'string' && !c.leadingZeroCodes) {
    const typed = c.kinds.integer + c.kinds.decimal + c.kinds.date + c.kinds.datetime + c.kinds.boolean;
    if (typed >= 0.1 * nonMissing) out.push(['mixed_types', { share: typed / nonMissing, type: 'string', examples: [] }]);
  }
  if (c.numberFormat === 'thousands_separators' || c.numberFormat === 'decimal_comma') {
    // `values`: how many were written so (the others are plain numbers).
    out.push(['number_format', { format: c.numberFormat, values: c.numberFormat === 'thousands_separators' ? profile.thousandsCells : profile.decimalCommaCells }]);
  }
  const reason = identifierReason(c, nonMissing);
  if (reason !== null) out.push(['suspected_id', { reason }]);
  if (c.stats !== null && c.stats.unit === 'number') {
    const n = c.stats.outliers.low + c.stats.outliers.high;
    if (n > 0) out.push(['outliers', { values: n, low: c.stats.outliers.low, high: c.stats.outliers.high, exact: c.stats.exactQuantiles }]);
  }
  return out;
}

/**
 * Why a column looks like an identifier, or null. Being nearly all distinct is not enough
 * (populations, incomes and sales figures are too): it must also be named like one, be a run of
 * integers with few gaps (a row number), or be fixed-width text without spaces (codes, UUIDs).
 */
function identifierReason(c: ColumnReport, nonMissing: number): 'name' | 'sequence' | 'fixed_width' | null {
  if (nonMissing < 20 || c.distinct.value < 0.99 * nonMissing) return null;
  if (c.type !== 'integer' && c.type !== 'string') return null;
  if (ID_NAME.test(c.name.trim())) return 'name';
  if (c.type === 'integer' && c.stats !== null && c.stats.max - c.stats.min + 1 <= 2 * nonMissing) return 'sequence';
  if (c.type === 'string' && c.length !== null && c.length.min === c.length.max && c.topValues.every((t) => !/\s/.test(t.value))) return 'fixed_width';
  return null;
}

/** The row-aligned columns, by row (read before the sorts), and Pearson between each pair of them. */
interface PearsonMatrix {
  readonly columns: number[];
  readonly values: Float64Array[];
  /** Per column: whether it may hold a NaN (it is not held through its exact numbers). */
  readonly gapped: boolean[];
  readonly r: Array<Array<number | null>>;
}

function pearsonMatrix(extras: RowExtras): PearsonMatrix {
  const columns: number[] = [];
  const values: Float64Array[] = [];
  const gapped: boolean[] = [];
  extras.aligned.forEach((_, c) => {
    const v = extras.rowValues(c);
    if (v === null) return;
    columns.push(c);
    values.push(v);
    gapped.push(extras.dense[c] === null);
  });
  return { columns, values, gapped, r: values.length < 2 ? [] : symmetric(values, gapped) };
}

/** Pearson between the held numeric columns; Spearman too while every row is held. */
function correlations(extras: RowExtras, columns: readonly ColumnReport[], all: PearsonMatrix, rankable: ReadonlyMap<number, ExactNumbers>, sorter: RadixSorter): Correlations | null {
  const picked: Array<{ name: string; index: number; at: number; values: Float64Array; gapped: boolean }> = [];
  all.columns.forEach((i, at) => {
    const c = columns[i];
    if (c === undefined || (c.type !== 'integer' && c.type !== 'decimal')) return;
    if (c.stats === null || c.stats.min === c.stats.max) return;
    picked.push({ name: c.name, index: i, at, values: all.values[at] as Float64Array, gapped: all.gapped[at] as boolean });
  });
  if (picked.length < 2) return null;
  const pearson = picked.map((p) => picked.map((q) => (all.r[p.at] as Array<number | null>)[q.at] as number | null));
  const exact = !extras.truncated;
  // A column's ranks have a NaN where its numbers have one.
  const spearman = exact ? symmetric(picked.map((p) => rankOf(p.values, rankable.get(p.index), sorter)), picked.map((p) => p.gapped)) : null;
  return { columns: picked.map((p) => p.name), pearson, spearman, rows: extras.alignedRows, exact };
}

/**
 * Ranks 1..n of the numbers (ties get their average rank); NaN stays NaN. From the column's own
 * sort when it kept its ranks by arrival (`held`, see keepOrderForRanks), else from a sort of
 * its own (radix-sort.ts). `values` may be that sort's own array (a column held through its
 * numbers): then it has no NaN and is not read.
 */
function rankOf(values: Float64Array, held: ExactNumbers | undefined, sorter: RadixSorter): RankArray {
  held?.sorted(sorter);
  let byArrival = held?.ranks;
  if (byArrival === undefined) {
    let n = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
    const sorted = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === values[i]) sorted[k++] = values[i] as number;
    byArrival = rankArray(n);
    sorter.sortRanked(sorted, byArrival);
  }
  if (byArrival.length === values.length) return byArrival;
  // Back to rows: the k-th number is the k-th row that has one.
  const ranks = rankArray(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) ranks[i] = values[i] === values[i] ? (byArrival[k++] as number) : Number.NaN;
  return ranks;
}

const PATTERNS = 10;

function missingPatterns(extras: RowExtras, columns: readonly ColumnReport[]): MissingPattern[] {
  return [...extras.patterns]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, PATTERNS)
    .map(([bits, rows]) => ({ columns: columns.filter((c) => c.index < 32 && (bits >>> c.index) & 1).map((c) => c.name), rows }));
}
