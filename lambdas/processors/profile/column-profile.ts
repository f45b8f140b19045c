import { BATCH_ROWS, type CellKernel } from './cell-kernel';
import { ExactNumbers, ExactValues, KEY_NUMBER, type MemoryBudget } from './exact-values';
import { HyperLogLog } from './hyperloglog';
import { KllSketch } from './kll-sketch';
import { RadixSorter } from './radix-sort';
import { RunningStats } from './running-stats';
import { TopValues } from './top-values';
import { hashNumber } from './hashing';
import { NumberStyle, ValueKind } from './value-parser';

const encoder = new TextEncoder();

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
 * negative start lives in `arena` at offset −1 − start; the others in `buf`. The offsets and
 * hashes are the kernel's arrays; the kernel's copies of `buf` (the part the batch covers) and
 * of `arena` start at `bufBase` and `arenaBase` of its memory.
 */
export interface CellBatch {
  buf: Uint8Array;
  arena: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  hashes: Int32Array;
  stride: number;
  kernel: CellKernel;
  bufBase: number;
  arenaBase: number;
}

const DENSE_HASHES = new Int32Array(BATCH_ROWS);
const DENSE_INDEX = new Int32Array(BATCH_ROWS);

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
  /**
   * Exact state while the budget allows (exact-values.ts): every distinct value with its count,
   * every number and every date. Each is dropped on its own when it no longer fits, and its
   * figure continues from the sketch, seeded with what it held.
   */
  exactValues: ExactValues | undefined;
  exactNumbers: ExactNumbers | undefined;
  exactDates: ExactNumbers | undefined;
  /**
   * While every value so far is a number written as String(value) writes it, the values are not
   * put in the exact table: the sorted numbers count them (a column of millions of distinct
   * numbers then costs no hash table). The first other value puts them in, by value.
   */
  private numbersOnly = true;
  /** Which comma forms read as numbers here (value-parser.ts NumberStyle); fixed by the first one seen. */
  numberStyle: NumberStyle;
  /** Numbers read with thousands separators, with a decimal comma. */
  thousandsCells = 0;
  decimalCommaCells = 0;

  constructor(name: string, sizes: SketchSizes, budget?: MemoryBudget, numberStyle: NumberStyle = NumberStyle.Plain) {
    this.name = name;
    this.sizes = sizes;
    this.numberStyle = numberStyle;
    this.top = new TopValues(sizes.topCapacity);
    if (budget !== undefined && budget.limit > 0) {
      this.exactValues = new ExactValues(budget);
      this.exactNumbers = new ExactNumbers(budget);
      this.exactDates = new ExactNumbers(budget);
    }
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
   * The cell kernel (WebAssembly) classifies, parses, hashes and measures every cell in one
   * pass; then the statistics and the quantile sketch take the numbers and dates, and the
   * distinct and frequent values take the hashes, each in a pass of its own.
   */
  addBatch(batch: CellBatch, at: number, n: number): void {
    const kernel = batch.kernel;
    const stats = kernel.stats;
    saveStats(this.numeric, stats, 0);
    saveStats(this.temporal, stats, 5);
    kernel.cells(at, batch.stride, n, batch.bufBase, batch.arenaBase, this.numberStyle);
    const totals = kernel.totals;
    if (this.numberStyle === NumberStyle.EitherThousands || this.numberStyle === NumberStyle.EitherDecimalComma) {
      const thousands = totals[12] as number;
      const commas = totals[13] as number;
      if (thousands > 0 && commas > 0) {
        // Both forms in the column's first batch with either: the more common one is the
        // column's, and the batch is read again so that the other form is text.
        this.numberStyle = thousands >= commas ? NumberStyle.Thousands : NumberStyle.DecimalComma;
        saveStats(this.numeric, stats, 0);
        saveStats(this.temporal, stats, 5);
        kernel.cells(at, batch.stride, n, batch.bufBase, batch.arenaBase, this.numberStyle);
      } else if (thousands > 0) this.numberStyle = NumberStyle.Thousands;
      else if (commas > 0) this.numberStyle = NumberStyle.DecimalComma;
    }
    this.thousandsCells += totals[12] as number;
    this.decimalCommaCells += totals[13] as number;
    const missing = totals[ValueKind.Missing] as number;
    this.count += n;
    this.missing += missing;
    if (((totals[9] as number) & this.samplesWanted) !== 0) this.addSamples(batch, at, n);
    for (let kind = ValueKind.Integer; kind <= ValueKind.String; kind++) this.countKind(kind, totals[kind] as number);
    this.booleanTrue += totals[8] as number;
    const present = n - missing;
    if (present > 0) {
      if ((totals[10] as number) < this.minLength) this.minLength = totals[10] as number;
      if ((totals[11] as number) > this.maxLength) this.maxLength = totals[11] as number;
    }
    const numbers = (totals[ValueKind.Integer] as number) + (totals[ValueKind.Decimal] as number);
    const temporals = (totals[ValueKind.Date] as number) + (totals[ValueKind.DateTime] as number);
    const heldNumbers = this.exactNumbers?.length ?? 0;
    const plainNumbers = numbers === present && (totals[14] as number) === 0;
    if (numbers > 0) {
      loadStats(this.numeric, stats, 0);
      if (this.exactNumbers !== undefined && !this.exactNumbers.addMany(kernel.numbers, numbers)) {
        // The numbers leave: the exact table must hold those it was counting through them.
        if (this.numbersOnly) this.putNumbersInTable(batch, this.exactNumbers.length);
        this.numericSketch = sketchOf(this.exactNumbers, this.sizes.kllK);
        this.exactNumbers = undefined;
      }
      if (this.exactNumbers === undefined) {
        this.numericSketch ??= new KllSketch(this.sizes.kllK);
        this.numericSketch.updateMany(kernel.numbers, numbers);
      }
    }
    if (temporals > 0) {
      loadStats(this.temporal, stats, 5);
      if (this.exactDates !== undefined && !this.exactDates.addMany(kernel.dates, temporals)) {
        this.temporalSketch = sketchOf(this.exactDates, this.sizes.kllK);
        this.exactDates = undefined;
      }
      if (this.exactDates === undefined) {
        this.temporalSketch ??= new KllSketch(this.sizes.kllK);
        this.temporalSketch.updateMany(kernel.dates, temporals);
      }
    }
    if (present > 0) {
      let first = 0;
      if (this.exactValues !== undefined) {
        if (this.numbersOnly && plainNumbers) first = n;
        else {
          if (this.numbersOnly) this.putNumbersInTable(batch, heldNumbers);
          if (this.exactValues !== undefined) first = this.addExact(batch, at, n);
        }
      }
      if (first < n) this.addFrequent(batch, at, n, present, first);
    }
  }

  /**
   * Ends the numbers-only shortcut: the first `held` numbers (those before this batch) enter the
   * exact table by value, labelled as String() writes them (which is how they were written). If
   * they do not fit the budget, the sketches take over from the table and the numbers.
   */
  private putNumbersInTable(batch: CellBatch, held: number): void {
    this.numbersOnly = false;
    const exact = this.exactValues;
    const numbers = this.exactNumbers;
    if (exact === undefined || numbers === undefined || held === 0) return;
    const kernel = batch.kernel;
    const bytesAt = kernel.bytesAt;
    const sorted = Float64Array.from(numbers.values.subarray(0, held));
    new RadixSorter().sort(sorted);
    for (let i = 0; i < held; ) {
      const v = sorted[i] as number;
      let j = i + 1;
      while (j < held && sorted[j] === v) j++;
      const label = encoder.encode(String(v));
      if (!exact.add(kernel, hashNumber(v), KEY_NUMBER, label, 0, label.length, j - i)) {
        this.dropExactValues(sorted, i);
        break;
      }
      i = j;
    }
    followKernel(batch, bytesAt);
  }

  /**
   * Counts the batch's values exactly; returns n, or the cell at which the exact table ran out of
   * budget (it has then been turned into the sketches, which take the rest).
   */
  private addExact(batch: CellBatch, at: number, n: number): number {
    const exact = this.exactValues as ExactValues;
    const kernel = batch.kernel;
    const bytesAt = kernel.bytesAt;
    const counted = exact.addCells(kernel, at, batch.stride, n, batch.bufBase, batch.arenaBase);
    followKernel(batch, bytesAt);
    if (counted < n) this.dropExactValues();
    return counted;
  }

  /**
   * Past the budget: the frequent values and the distinct count continue from sketches seeded
   * with the exact table, and with the sorted numbers from `from` on that were not in it yet.
   */
  dropExactValues(sorted?: Float64Array, from = 0): void {
    const exact = this.exactValues;
    if (exact === undefined) return;
    this.exactValues = undefined;
    const hll = new HyperLogLog(this.sizes.hllPrecision);
    const seeds: Array<{ hash: number; label: Uint8Array; count: number }> = [];
    for (let e = 0; e < exact.size; e++) {
      hll.add(exact.hash(e));
      seeds.push({ hash: exact.hash(e), label: exact.label(e), count: exact.count(e) });
    }
    if (sorted !== undefined) {
      for (let i = from; i < sorted.length; ) {
        const v = sorted[i] as number;
        let j = i + 1;
        while (j < sorted.length && sorted[j] === v) j++;
        hll.add(hashNumber(v));
        seeds.push({ hash: hashNumber(v), label: encoder.encode(String(v)), count: j - i });
        i = j;
      }
    }
    seeds.sort((a, b) => b.count - a.count);
    const top = this.top;
    const keep = Math.min(seeds.length, top.capacity - 1);
    for (let k = 0; k < keep; k++) {
      const s = seeds[k] as { hash: number; label: Uint8Array; count: number };
      top.seed(s.hash, s.label, s.count);
    }
    top.seeded(keep < seeds.length ? (seeds[keep] as { count: number }).count : 0);
    this.distinctSketch = hll;
    exact.release();
  }

  /** Examples of the kinds that still want one, in file order. */
  private addSamples(batch: CellBatch, at: number, n: number): void {
    const kinds = batch.kernel.kinds;
    const { starts, ends, stride } = batch;
    for (let i = 0; i < n; i++) {
      const kind = kinds[i] as number;
      if (kind === ValueKind.Missing || ((this.samplesWanted >>> kind) & 1) === 0) continue;
      const p = at + i * stride;
      const s = starts[p] as number;
      if (s >= 0) this.addSample(kind, batch.buf, s, ends[p] as number);
      else this.addSample(kind, batch.arena, -1 - s, ends[p] as number);
      if (this.samplesWanted === 0) return;
    }
  }

  /** Distinct count and frequent values, over the batch's hashes in file order. */
  private addFrequent(batch: CellBatch, at: number, n: number, present: number, first = 0): void {
    const { buf, arena, starts, ends, hashes, stride } = batch;
    // The non-missing cells' hashes are src[from + j · step]; cell j of them is at index[j], or
    // at + j · stride when nothing is missing (the common case: no copy). `first`: the cells
    // before it were counted exactly.
    const compact = present < n || first > 0;
    let src = hashes;
    let from = at;
    let step = stride;
    const index = DENSE_INDEX;
    if (compact) {
      const batchKinds = batch.kernel.kinds;
      const dense = DENSE_HASHES;
      let m = 0;
      for (let i = first; i < n; i++) {
        if (batchKinds[i] === ValueKind.Missing) continue;
        dense[m] = hashes[at + i * stride] as number;
        index[m++] = at + i * stride;
      }
      src = dense;
      from = 0;
      step = 1;
      present = m;
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
      if (top.hit(h)) continue;
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
      const h = src[from + pick * step] as number;
      if (top.hit(h)) continue;
      const i = compact ? (index[pick] as number) : at + pick * stride;
      const s = starts[i] as number;
      if (s >= 0) top.add(h, buf, s, ends[i] as number);
      else top.add(h, arena, -1 - s, ends[i] as number);
    }
    top.countdown = pick - present + 1;
  }

  /** Distinct non-missing values: exact until the top-value table overflows, then HyperLogLog. */
  get distinct(): { value: number; exact: boolean } {
    if (this.exactValues !== undefined) return { value: this.exactValues.size, exact: true };
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

/**
 * After the exact table grew in the kernel's memory: the batch's views of that memory are new if
 * it grew, and the batch's bytes moved up with `bytesAt` if the table's heap needed their room.
 */
function followKernel(batch: CellBatch, bytesAt: number): void {
  const kernel = batch.kernel;
  const moved = kernel.bytesAt - bytesAt;
  batch.bufBase += moved;
  batch.arenaBase += moved;
  batch.starts = kernel.starts;
  batch.ends = kernel.ends;
  batch.hashes = kernel.hashes;
}

/** The quantile sketch that takes over from exact values, fed what they held, in arrival order. */
function sketchOf(exact: ExactNumbers, k: number): KllSketch {
  const sketch = new KllSketch(k);
  if (exact.length > 0) sketch.updateMany(exact.values, exact.length);
  exact.release();
  return sketch;
}

function saveStats(running: RunningStats, stats: Float64Array, at: number): void {
  stats[at] = running.count;
  stats[at + 1] = running.mean;
  stats[at + 2] = running.m2;
  stats[at + 3] = running.min;
  stats[at + 4] = running.max;
}

function loadStats(running: RunningStats, stats: Float64Array, at: number): void {
  running.count = stats[at] as number;
  running.mean = stats[at + 1] as number;
  running.m2 = stats[at + 2] as number;
  running.min = stats[at + 3] as number;
  running.max = stats[at + 4] as number;
}
