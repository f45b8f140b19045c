import { hashNumber, hashText, hashedText } from './hashing';
import { HyperLogLog } from './hyperloglog';
import { KllSketch } from './kll-sketch';
import { RunningStats } from './running-stats';
import { TopValues } from './top-values';
import { ValueKind, classify, parseNumber, parsed } from './value-parser';

/** Sketch sizes: full accuracy for ordinary files, smaller per column for very wide ones. */
export interface SketchSizes {
  /** Distinct values counted exactly (and top values kept) before switching to sketches. */
  readonly topCapacity: number;
  readonly hllPrecision: number;
  readonly kllK: number;
}

export function sketchSizesFor(columns: number): SketchSizes {
  // Keeps the sum over all columns to a few tens of MB, so peak RSS stays bounded up to 10,000 columns.
  if (columns <= 64) return { topCapacity: 1024, hllPrecision: 15, kllK: 400 };
  if (columns <= 256) return { topCapacity: 512, hllPrecision: 15, kllK: 400 };
  if (columns <= 1024) return { topCapacity: 128, hllPrecision: 12, kllK: 200 };
  return { topCapacity: 16, hllPrecision: 10, kllK: 64 };
}

/**
 * Cells of a batch of rows, row-major: a column's cells are `stride` apart. A cell with a
 * negative start lives in `arena` at offset −1 − start; the others in `buf`. The views are
 * DataViews over the same bytes, made once per batch.
 */
export interface CellBatch {
  buf: Uint8Array;
  bufView: DataView;
  arena: Uint8Array;
  arenaView: DataView;
  starts: Int32Array;
  ends: Int32Array;
  hashes: Int32Array;
  stride: number;
}

/** Cells a column takes at once (the profiler's batches are at most this many rows). */
export const BATCH_ROWS = 4096;
const KINDS = new Uint8Array(BATCH_ROWS);
const VALUES = new Float64Array(BATCH_ROWS);
const DENSE = new Float64Array(BATCH_ROWS);
const DENSE_HASHES = new Int32Array(BATCH_ROWS);
const DENSE_INDEX = new Int32Array(BATCH_ROWS);

/** Length of a number or date as written (arena cells have start −1 − offset). */
function cellLength(starts: Int32Array, ends: Int32Array, i: number): number {
  const s = starts[i] as number;
  return (ends[i] as number) - (s < 0 ? -1 - s : s);
}

/** Hash given to a missing cell when hashing a whole row. */
export const MISSING_HASH = 0x2545f491;

const SAMPLES_PER_KIND = 3;
const SAMPLE_BYTES = 60;

export class ColumnProfile {
  readonly name: string;
  /** Non-empty cells plus missing ones: every data row counts once. */
  count = 0;
  missing = 0;
  /** Cells per ValueKind (index = kind). */
  readonly kinds = new Float64Array(7);
  readonly numeric = new RunningStats();
  readonly temporal = new RunningStats();
  numericSketch: KllSketch | undefined;
  temporalSketch: KllSketch | undefined;
  readonly top: TopValues;
  distinctSketch: HyperLogLog | undefined;
  minLength = Number.POSITIVE_INFINITY;
  maxLength = 0;
  booleanTrue = 0;
  /** A few example cells per kind, to show what does not fit the column's type. */
  readonly samples: string[][] = [[], [], [], [], [], [], []];
  /** Bit k set while kind k has fewer than SAMPLES_PER_KIND examples (missing cells have none). */
  private samplesWanted = 0x7e;
  private readonly sizes: SketchSizes;

  constructor(name: string, sizes: SketchSizes) {
    this.name = name;
    this.sizes = sizes;
    this.top = new TopValues(sizes.topCapacity);
  }

  /** Counts `rows` cells as missing (rows read before the column first appeared). */
  addMissing(rows: number): void {
    this.count += rows;
    this.missing += rows;
  }

  /**
   * Adds this column's `n` cells of the batch: cell i is at p = at + i · stride and spans
   * [starts[p], ends[p]) of `buf`, or of `arena` when its start is negative (start = −1 − offset
   * into the arena). Writes each cell's hash to `hashes[p]` for row hashing.
   *
   * Done in passes over the batch (classify, numbers, text, frequent values) rather than cell by
   * cell: each pass is a short loop the JIT keeps in registers, the quantile sketch skips straight
   * to the values it samples, and the statistics see numbers without re-dispatching on kind.
   */
  addBatch(batch: CellBatch, at: number, n: number): void {
    const { buf, arena, starts, ends, hashes, stride } = batch;
    this.count += n;
    const batchKinds = KINDS;
    const values = VALUES;
    let numbers = 0;
    let temporals = 0;
    let texts = 0;
    let wanted = this.samplesWanted;
    // Pass 1: kind and parsed value of every cell.
    for (let i = 0, p = at; i < n; i++, p += stride) {
      let s = starts[p] as number;
      let data = buf;
      if (s < 0) {
        s = -1 - s;
        data = arena;
      }
      const e = ends[p] as number;
      // Short cells that start and end with a digit can only be numbers (or strings): straight to
      // the number parser, as `classify` would go after its checks for blanks, words and dates.
      const first = (data[s] as number) - 0x30;
      const last = (data[e - 1] as number) - 0x30;
      const kind = e > s && e - s < 10 && first >= 0 && first <= 9 && last >= 0 && last <= 9 ? parseNumber(data, s, e) : classify(data, s, e);
      batchKinds[i] = kind;
      values[i] = parsed.value;
      if (kind === ValueKind.Missing) {
        hashes[p] = MISSING_HASH;
        continue;
      }
      if (((wanted >>> kind) & 1) === 1) wanted = this.addSample(kind, data, s, e);
      if (kind === ValueKind.Integer || kind === ValueKind.Decimal) numbers++;
      else if (kind === ValueKind.Date || kind === ValueKind.DateTime) temporals++;
      else texts++;
    }
    const present = numbers + temporals + texts;
    this.missing += n - present;
    if (numbers > 0) {
      this.numericSketch ??= new KllSketch(this.sizes.kllK);
      this.addMeasures(batch, at, n, numbers, ValueKind.Integer, this.numeric, this.numericSketch, 0);
    }
    if (temporals > 0) {
      this.temporalSketch ??= new KllSketch(this.sizes.kllK);
      this.addMeasures(batch, at, n, temporals, ValueKind.Date, this.temporal, this.temporalSketch, -1);
    }
    if (texts > 0) this.addTexts(batch, at, n);
    if (present > 0) this.addFrequent(batch, at, n, present);
  }

  /**
   * The numbers (kinds Integer and Decimal) or the dates (Date and DateTime) of the batch: hash
   * by value, statistics, lengths as written, quantile sketch. `kindInHash` is −1 for dates:
   * a date and a date-time at the same instant are distinct spellings, so the kind goes into
   * the hash; 0 for numbers, where 1 and 1.0 are one value.
   */
  private addMeasures(batch: CellBatch, at: number, n: number, count: number, first: ValueKind, stats: RunningStats, sketch: KllSketch, kindInHash: number): void {
    const { starts, ends, hashes, stride } = batch;
    const second = first + 1;
    const batchKinds = KINDS;
    const values = VALUES;
    const dense = DENSE;
    let m = 0;
    let firsts = 0;
    let minLength = this.minLength;
    let maxLength = this.maxLength;
    for (let i = 0; i < n; i++) {
      const kind = batchKinds[i] as number;
      if (kind !== first && kind !== second) continue;
      if (kind === first) firsts++;
      const v = values[i] as number;
      const p = at + i * stride;
      dense[m++] = v;
      hashes[p] = hashNumber(v) ^ (kind & kindInHash);
      stats.add(v);
      const chars = cellLength(starts, ends, p);
      if (chars < minLength) minLength = chars;
      if (chars > maxLength) maxLength = chars;
    }
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.countKind(first, firsts);
    this.countKind(second, count - firsts);
    sketch.updateMany(dense, count);
  }

  /** Booleans and strings: hashed by their bytes, length in characters. */
  private addTexts(batch: CellBatch, at: number, n: number): void {
    const { buf, bufView, arena, arenaView, starts, ends, hashes, stride } = batch;
    const batchKinds = KINDS;
    const values = VALUES;
    let minLength = this.minLength;
    let maxLength = this.maxLength;
    let booleanTrue = this.booleanTrue;
    let booleans = 0;
    let strings = 0;
    for (let i = 0; i < n; i++) {
      const kind = batchKinds[i] as number;
      if (kind !== ValueKind.Boolean && kind !== ValueKind.String) continue;
      if (kind === ValueKind.Boolean) {
        booleans++;
        booleanTrue += values[i] as number;
      }
      strings++;
      const p = at + i * stride;
      let s = starts[p] as number;
      let data = buf;
      let view = bufView;
      if (s < 0) {
        s = -1 - s;
        data = arena;
        view = arenaView;
      }
      // One pass over the bytes: hash and character count.
      hashes[p] = hashText(data, view, s, ends[p] as number);
      const chars = hashedText.chars;
      if (chars < minLength) minLength = chars;
      if (chars > maxLength) maxLength = chars;
    }
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.booleanTrue = booleanTrue;
    this.countKind(ValueKind.Boolean, booleans);
    this.countKind(ValueKind.String, strings - booleans);
  }

  /** Distinct count and frequent values, over the batch's hashes in file order. */
  private addFrequent(batch: CellBatch, at: number, n: number, present: number): void {
    const { buf, arena, starts, ends, hashes, stride } = batch;
    // The non-missing cells' hashes are src[from + j · step]; cell j of them is at index[j], or
    // at + j · stride when nothing is missing (the common case: no copy).
    const compact = present < n;
    let src = hashes;
    let from = at;
    let step = stride;
    const index = DENSE_INDEX;
    if (compact) {
      const batchKinds = KINDS;
      const dense = DENSE_HASHES;
      let m = 0;
      for (let i = 0; i < n; i++) {
        if (batchKinds[i] === ValueKind.Missing) continue;
        dense[m] = hashes[at + i * stride] as number;
        index[m++] = at + i * stride;
      }
      src = dense;
      from = 0;
      step = 1;
    }
    const top = this.top;
    let j = 0;
    // Exact phase: every value is counted (the table may switch to sampling on the way).
    for (; j < present && top.stride === 1; j++) {
      const h = src[from + j * step] as number;
      if (this.distinctSketch === undefined && top.size === top.capacity) {
        // The exact table is full and this value may force a purge: from here on HyperLogLog
        // counts, seeded with every distinct value seen so far so it covers the whole column.
        const hll = new HyperLogLog(this.sizes.hllPrecision);
        const held = top.heldHashes();
        hll.addAll(held, 0, held.length, 1);
        this.distinctSketch = hll;
      }
      const i = compact ? (index[j] as number) : at + j * stride;
      const s = starts[i] as number;
      const added = s >= 0 ? top.add(h, buf, s, ends[i] as number) : top.add(h, arena, -1 - s, ends[i] as number);
      // A value already held was added to the sketch when it entered the table (or at seeding).
      if (added && this.distinctSketch !== undefined) this.distinctSketch.add(h);
    }
    if (j === present) return;
    // Sampling mode (a column with many distinct values): every value reaches the distinct
    // sketch, one in `stride` (every stride-th from the countdown) reaches the frequent values.
    (this.distinctSketch as HyperLogLog).addAll(src, from + j * step, from + present * step, step);
    let pick = j + top.countdown - 1;
    for (; pick < present; pick += top.stride) {
      const i = compact ? (index[pick] as number) : at + pick * stride;
      const s = starts[i] as number;
      const h = src[from + pick * step] as number;
      if (s >= 0) top.add(h, buf, s, ends[i] as number);
      else top.add(h, arena, -1 - s, ends[i] as number);
    }
    top.countdown = pick - present + 1;
  }

  /** Distinct non-missing values: exact until the top-value table overflows, then HyperLogLog. */
  get distinct(): { value: number; exact: boolean } {
    if (!this.top.evicted) return { value: this.top.size, exact: true };
    const nonMissing = this.count - this.missing;
    const estimate = this.distinctSketch === undefined ? this.top.size : this.distinctSketch.estimate();
    return { value: Math.min(nonMissing, Math.max(this.top.capacity + 1, Math.round(estimate))), exact: false };
  }

  private countKind(kind: ValueKind, cells: number): void {
    this.kinds[kind] = (this.kinds[kind] as number) + cells;
  }

  /** Keeps one example of a kind; returns the kinds that still want one (a bit per kind). */
  private addSample(kind: ValueKind, buf: Uint8Array, start: number, end: number): number {
    let stop = Math.min(end, start + SAMPLE_BYTES);
    while (stop < end && stop > start && ((buf[stop] as number) & 0xc0) === 0x80) stop--;
    const text = new TextDecoder().decode(buf.subarray(start, stop)) + (stop < end ? '…' : '');
    const samples = this.samples[kind] as string[];
    samples.push(text);
    if (samples.length === SAMPLES_PER_KIND) this.samplesWanted &= ~(1 << kind);
    return this.samplesWanted;
  }
}
