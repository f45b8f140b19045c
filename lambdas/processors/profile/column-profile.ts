import { FNV_OFFSET, FNV_PRIME, hashNumber, mix32 } from './hashing';
import { HyperLogLog } from './hyperloglog';
import { KllSketch } from './kll-sketch';
import { RunningStats } from './running-stats';
import { TopValues } from './top-values';
import { ValueKind, classify, parsed } from './value-parser';

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
  private readonly sizes: SketchSizes;

  constructor(name: string, sizes: SketchSizes) {
    this.name = name;
    this.sizes = sizes;
    this.top = new TopValues(sizes.topCapacity);
  }

  addMissing(): void {
    this.count++;
    this.missing++;
  }

  /** Adds one cell (raw bytes, quotes already removed); returns its hash for row hashing. */
  add(buf: Uint8Array, start: number, end: number): number {
    this.count++;
    const kind = classify(buf, start, end);
    if (kind === ValueKind.Missing) {
      this.missing++;
      return MISSING_HASH;
    }
    const seen = (this.kinds[kind] as number) + 1;
    this.kinds[kind] = seen;
    if (seen <= SAMPLES_PER_KIND) this.addSample(kind, buf, start, end);
    let h: number;
    let chars = end - start;
    if (kind === ValueKind.Integer || kind === ValueKind.Decimal) {
      const v = parsed.value;
      h = hashNumber(v);
      this.numeric.add(v);
      (this.numericSketch ??= new KllSketch(this.sizes.kllK)).update(v);
    } else if (kind === ValueKind.Date || kind === ValueKind.DateTime) {
      const v = parsed.value;
      // Dates and date-times at the same instant are distinct spellings: keep the kind in the hash.
      h = hashNumber(v) ^ kind;
      this.temporal.add(v);
      (this.temporalSketch ??= new KllSketch(this.sizes.kllK)).update(v);
    } else {
      if (kind === ValueKind.Boolean) this.booleanTrue += parsed.value;
      // One pass over the bytes: hash and character count (UTF-8 continuation bytes are 10xxxxxx).
      let f = FNV_OFFSET;
      chars = 0;
      for (let i = start; i < end; i++) {
        const b = buf[i] as number;
        f = Math.imul(f ^ b, FNV_PRIME);
        if ((b & 0xc0) !== 0x80) chars++;
      }
      h = mix32(f);
    }
    if (chars < this.minLength) this.minLength = chars;
    if (chars > this.maxLength) this.maxLength = chars;

    const top = this.top;
    if (top.stride !== 1) {
      // Sampling mode (a column with many distinct values): every value reaches the distinct
      // sketch, one in `stride` reaches the frequent-values summary.
      (this.distinctSketch as HyperLogLog).add(h);
      if (--top.countdown === 0) {
        top.countdown = top.stride;
        top.add(h, buf, start, end);
      }
    } else {
      if (this.distinctSketch === undefined && top.size === top.capacity) {
        // The exact table is full and this value may force a purge: from here on HyperLogLog
        // counts, seeded with every distinct value seen so far so it covers the whole column.
        const hll = new HyperLogLog(this.sizes.hllPrecision);
        for (const held of top.heldHashes()) hll.add(held);
        this.distinctSketch = hll;
      }
      // A value already held was added to the sketch when it entered the table (or at seeding).
      if (top.add(h, buf, start, end) && this.distinctSketch !== undefined) this.distinctSketch.add(h);
    }
    return h;
  }

  /** Distinct non-missing values: exact until the top-value table overflows, then HyperLogLog. */
  get distinct(): { value: number; exact: boolean } {
    if (!this.top.evicted) return { value: this.top.size, exact: true };
    const nonMissing = this.count - this.missing;
    const estimate = this.distinctSketch === undefined ? this.top.size : this.distinctSketch.estimate();
    return { value: Math.min(nonMissing, Math.max(this.top.capacity + 1, Math.round(estimate))), exact: false };
  }

  private addSample(kind: ValueKind, buf: Uint8Array, start: number, end: number): void {
    let stop = Math.min(end, start + SAMPLE_BYTES);
    while (stop < end && stop > start && ((buf[stop] as number) & 0xc0) === 0x80) stop--;
    const text = new TextDecoder().decode(buf.subarray(start, stop)) + (stop < end ? '…' : '');
    (this.samples[kind] as string[]).push(text);
  }
}
