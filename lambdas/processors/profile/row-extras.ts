import type { CellBatch } from './column-profile';
import { type ExactNumbers, type MemoryBudget, grownArray, sizedArray } from './exact-values';
import { ValueKind } from './value-parser';

/** Columns whose numbers are kept row by row for correlations (the first numeric ones). */
export const CORRELATION_COLUMNS = 24;
/** Columns whose missing cells make up a row's missing pattern (the first ones). */
export const PATTERN_COLUMNS = 32;
export const SAMPLE_ROWS = 5;
const SAMPLE_CELL_CHARS = 80;

/**
 * What needs whole rows rather than one column at a time: each row's set of missing columns
 * (missing-value patterns), each row's numbers in aligned arrays (correlations), and the first
 * and a random sample of rows. The numbers are held within the profile's memory budget; past it
 * the correlations cover the rows held so far and say so.
 */
export class RowExtras {
  readonly patterns = new Map<number, number>();
  readonly first: Array<Array<string | null>> = [];
  readonly random: Array<Array<string | null>> = [];
  /** Per column: its numbers by row (NaN = not a number), while it looks numeric. */
  aligned: Array<Float64Array | null> = [];
  /**
   * Per column: while every row so far holds a number and the column's exact numbers hold them
   * all in order, those numbers are its row-aligned values (the first `alignedRows` of them) and
   * `aligned` keeps no copy; the first other cell, or the numbers leaving for the sketch, makes
   * the copy. A column of millions of numbers is so held once, not twice.
   */
  dense: Array<ExactNumbers | null> = [];
  alignedRows = 0;
  /** Rows not held for correlations once the budget ran out. */
  truncated = false;
  private alignedCapacity = 0;
  /** Per column: the values its aligned array is charged to the budget for (the array may be longer, see grownArray). */
  private charged: number[] = [];
  private missingBits = new Int32Array(0);
  private seen = 0;
  private rng = 0x2545f491;
  private readonly decoder = new TextDecoder();
  /** Per column: non-missing and numeric cells so far, to stop holding a column that is not numeric. */
  private present: number[] = [];
  private numeric: number[] = [];
  private batchRows = 0;

  constructor(private readonly budget: MemoryBudget) {}

  /** Starts a batch: picks the sample rows (first rows, then reservoir sampling, seeded). */
  startBatch(batch: CellBatch, rows: number, width: number): void {
    this.batchRows = rows;
    if (this.missingBits.length < rows) this.missingBits = new Int32Array(Math.max(rows, 4096));
    this.missingBits.fill(0, 0, rows);
    for (let r = 0; r < rows; r++) {
      const index = this.seen++;
      if (this.first.length < SAMPLE_ROWS) {
        this.first.push(this.rowText(batch, r, width));
        continue;
      }
      const k = index - SAMPLE_ROWS;
      if (k < SAMPLE_ROWS) this.random.push(this.rowText(batch, r, width));
      else {
        const j = Math.floor(this.next() * (k + 1));
        if (j < SAMPLE_ROWS) this.random[j] = this.rowText(batch, r, width);
      }
    }
    while (this.aligned.length < width && this.aligned.length < CORRELATION_COLUMNS) {
      // A column that appears late (JSON) has no numbers for the rows before it.
      this.aligned.push(this.alignedRows === 0 && !this.truncated ? new Float64Array(0) : null);
      this.dense.push(null);
      this.charged.push(0);
      this.present.push(0);
      this.numeric.push(0);
    }
    if (!this.truncated && this.alignedRows + rows > this.alignedCapacity) this.growAligned(this.alignedRows + rows);
  }

  /**
   * Takes column c's cells of the batch, right after the kernel classified them and the column
   * took them (`exact`: the column's exact numbers now, this batch's included; `missing` and
   * `numbers`: the batch's missing and numeric cells, from the kernel's totals).
   */
  column(c: number, kinds: Uint8Array, values: Float64Array, rows: number, exact: ExactNumbers | undefined, missing: number, numbers: number): void {
    if (c < PATTERN_COLUMNS && missing > 0) {
      const bit = 1 << c;
      const bits = this.missingBits;
      for (let r = 0; r < rows; r++) if (kinds[r] === ValueKind.Missing) bits[r] = (bits[r] as number) | bit;
    }
    let target = c < this.aligned.length ? this.aligned[c] : null;
    if (target === null || target === undefined) return;
    const held = this.dense[c] as ExactNumbers | null;
    if (held !== null || (this.alignedRows === 0 && !this.truncated && exact !== undefined)) {
      // Rows past a truncation are not held: only the held prefix has to stay as it is.
      const same = held === null || held === exact;
      if (same && exact !== undefined && (this.truncated ? held !== null : numbers === rows && exact.length === this.alignedRows + rows)) {
        this.dense[c] = exact;
        this.present[c] = (this.present[c] as number) + numbers;
        this.numeric[c] = (this.numeric[c] as number) + numbers;
        return;
      }
      if (held !== null) {
        const copy = this.undense(c, held);
        if (copy === null) {
          this.dropColumn(c);
          return;
        }
        target = copy;
      }
    }
    let present = 0;
    let numeric = 0;
    const at = this.alignedRows;
    for (let r = 0; r < rows; r++) {
      const kind = kinds[r] as number;
      if (kind === ValueKind.Missing) {
        target[at + r] = Number.NaN;
        continue;
      }
      present++;
      if (kind === ValueKind.Integer || kind === ValueKind.Decimal) {
        numeric++;
        target[at + r] = values[r] as number;
      } else target[at + r] = Number.NaN;
    }
    this.present[c] = (this.present[c] as number) + present;
    this.numeric[c] = (this.numeric[c] as number) + numeric;
    // Correlations are for numeric columns: one where under 90 % of the values are numbers is let go.
    if ((this.present[c] as number) > 0 && (this.numeric[c] as number) < 0.9 * (this.present[c] as number)) this.dropColumn(c);
  }

  endBatch(): void {
    const bits = this.missingBits;
    const patterns = this.patterns;
    for (let r = 0; r < this.batchRows; r++) {
      const b = bits[r] as number;
      if (b !== 0) patterns.set(b, (patterns.get(b) ?? 0) + 1);
    }
    if (!this.truncated) this.alignedRows += this.batchRows;
  }

  /**
   * The column stops being held through its exact numbers: its rows so far are copied into an
   * array of its own (null when that does not fit the budget).
   */
  private undense(c: number, held: ExactNumbers): Float64Array | null {
    this.dense[c] = null;
    if (!this.budget.take((this.alignedCapacity - (this.charged[c] as number)) * 8)) return null;
    this.charged[c] = this.alignedCapacity;
    const copy = grownArray(held.values, this.alignedRows, this.alignedCapacity);
    this.aligned[c] = copy;
    return copy;
  }

  /** The column's values by row, the first `alignedRows` (read them before its numbers are sorted). */
  rowValues(c: number): Float64Array | null {
    const held = this.dense[c];
    if (held !== null && held !== undefined) return held.values.subarray(0, this.alignedRows);
    const aligned = this.aligned[c];
    return aligned === null || aligned === undefined ? null : aligned.subarray(0, this.alignedRows);
  }

  private dropColumn(c: number): void {
    const held = this.aligned[c];
    this.dense[c] = null;
    if (held === null || held === undefined) return;
    this.budget.give((this.charged[c] as number) * 8);
    this.charged[c] = 0;
    this.aligned[c] = null;
  }

  /** About `rows` rows in all (DataProfiler.expectRows): the held columns' arrays take room for them now. */
  expectRows(rows: number): void {
    if (this.truncated) return;
    const size = Math.min(rows, Math.floor(this.budget.limit / 8));
    for (let c = 0; c < this.aligned.length; c++) {
      const held = this.aligned[c];
      if (held === null || held === undefined || this.dense[c] !== null || held.length >= size) continue;
      this.aligned[c] = sizedArray(held, this.alignedRows, size);
    }
  }

  private growAligned(needed: number): void {
    let size = Math.max(4096, this.alignedCapacity * 2);
    while (size < needed) size *= 2;
    // Columns held through their exact numbers keep their first small array until they copy.
    const columns = this.aligned.filter((a, c) => a !== null && this.dense[c] === null).length;
    if (!this.budget.take((size - this.alignedCapacity) * 8 * columns)) {
      this.truncated = true;
      return;
    }
    for (let c = 0; c < this.aligned.length; c++) {
      const old = this.aligned[c];
      if (old === null || old === undefined || this.dense[c] !== null) continue;
      this.aligned[c] = old.length >= size ? old : grownArray(old, this.alignedRows, size);
      this.charged[c] = size;
    }
    this.alignedCapacity = size;
  }

  private rowText(batch: CellBatch, r: number, width: number): Array<string | null> {
    const out: Array<string | null> = [];
    const base = r * batch.stride;
    for (let c = 0; c < width; c++) {
      const s = batch.starts[base + c] as number;
      const e = batch.ends[base + c] as number;
      const bytes = s >= 0 ? batch.buf.subarray(s, e) : batch.arena.subarray(-1 - s, e);
      const text = this.decoder.decode(bytes).trim();
      out.push(text === '' ? null : text.length > SAMPLE_CELL_CHARS ? `${text.slice(0, SAMPLE_CELL_CHARS)}…` : text);
    }
    return out;
  }

  /** xorshift32: the same file always gives the same sample. */
  private next(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x;
    return (x >>> 0) / 4294967296;
  }
}
