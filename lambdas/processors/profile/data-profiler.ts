import { ProcessingError } from '../processor';
import { BATCH_ROWS, CellKernel } from './cell-kernel';
import { type CellBatch, ColumnProfile, type SketchSizes, sketchSizesFor } from './column-profile';
import type { FieldTarget, RecordSink, SimpleScan } from './csv-scanner';
import { MAX_COLUMNS, MAX_RECORD_BYTES } from './limits';
import { MemoryBudget } from './exact-values';
import { RowDuplicates } from './row-duplicates';
import { RowExtras } from './row-extras';
import { NumberStyle, ValueKind, classify } from './value-parser';

const RAGGED_EXAMPLES = 5;
/**
 * Cells held per batch at most (≈ 13 bytes each: offsets, hash, escape flag). A narrow file's batch is
 * BATCH_ROWS rows (a few hundred KB); a very wide one still gets dozens of rows per batch, so
 * each column's sketches are visited once per batch, not once per row.
 */
const BATCH_CELLS = 1 << 19;
/**
 * The first batch is cut short at this many rows. Every column then runs through the batch code
 * once before any of its loops is long enough for V8 to compile it on the fly; compiled any
 * earlier, that code lacks feedback for the kinds of cells the later columns bring and bails out
 * column after column (which made some runs a quarter slower than others).
 */
const WARM_UP_ROWS = 64;
/** A JSON Lines batch is processed once its copied text passes this. */
const ARENA_FLUSH_BYTES = 1 << 20;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * Turns records into column profiles: the first record names the columns (unless it looks like
 * data), every later record feeds one cell per column. Rows with too few cells count the rest as
 * missing; extra cells are ignored; both are counted for the report's warnings.
 *
 * Records are gathered into a batch (cell offsets only, written by the scanner where the batch
 * keeps them; quoted cells with doubled quotes are unescaped into an arena) and each column then
 * takes all its cells of the batch in one call, in short type-specific passes: the quantile
 * sketch skips straight to the values it samples, the distinct-count sketch takes the batch at
 * once, no cell is dispatched on its kind twice. Each column sees its values in file order, so
 * the results are the same as one by one, however the batches fall.
 */
export class DataProfiler implements RecordSink {
  columns: ColumnProfile[] = [];
  hasHeader = true;
  rows = 0;
  shortRows = 0;
  longRows = 0;
  /** 1-based data row numbers of the first ragged rows, for the warning text. */
  readonly raggedExamples: number[] = [];
  readonly duplicates: RowDuplicates;
  /** What the exact figures may hold in total (exact-values.ts); 0: sketches from the start. */
  readonly budget: MemoryBudget;
  /**
   * The comma forms each new column may read as numbers (value-parser.ts NumberStyle): set by the
   * stream from the format before the first record (either form in CSV, a decimal comma first in
   * a semicolon-separated file; none in JSON, which has numbers of its own).
   */
  numberStyle: NumberStyle = NumberStyle.Plain;
  private sizes: SketchSizes = sketchSizesFor(1);
  private readonly decoder = new TextDecoder();
  private readonly columnIndex = new Map<string, number>();

  /** Rows per batch for the current width. */
  private capacity = 0;
  private batchRows = 0;
  /** The buffer the batch's offsets point into (the scanner's, valid until `flush`). */
  private batchBuf: Uint8Array = EMPTY;
  /** Unescaped or encoded cells; a cell stored here has start −1 − offset. */
  private arena = new Uint8Array(64 * 1024);
  private arenaLength = 0;
  private arenaEnd = 0;
  /** Cell offsets and hashes live in the kernel's memory, where the scanner writes them. */
  private readonly kernel = new CellKernel(BATCH_CELLS + MAX_COLUMNS + 1);
  /**
   * The batch, row-major: cell (row r, column c) at r * stride + c. It is also where the scanner
   * writes each record's fields (from `base`, the next row), with room for MAX_COLUMNS + 1.
   */
  private readonly batch: CellBatch & FieldTarget = {
    buf: EMPTY,
    arena: this.arena,
    starts: this.kernel.starts,
    ends: this.kernel.ends,
    escaped: new Uint8Array(BATCH_CELLS + MAX_COLUMNS + 1),
    hashes: this.kernel.hashes,
    stride: 1,
    base: 0,
    kernel: this.kernel,
    bufBase: 0,
    arenaBase: 0,
  };
  /** The buffer the scanner is on, copied to the kernel's memory at `bytesAt`. */
  private scanned: Uint8Array = EMPTY;
  private readonly simple: SimpleScan = { records: 0, end: 0, full: false };

  constructor(memoryBudgetBytes = 0) {
    this.budget = new MemoryBudget(memoryBudgetBytes);
    this.duplicates = new RowDuplicates(1 << 17, this.budget);
    this.extras = new RowExtras(this.budget);
  }

  /** Missing-value patterns, row samples and the numbers correlations need (row-extras.ts). */
  readonly extras: RowExtras;

  get target(): FieldTarget {
    return this.batch;
  }

  record(buf: Uint8Array, count: number, escapes: boolean): boolean {
    if (this.columns.length === 0) {
      this.startColumns(buf, count, escapes);
      if (this.hasHeader) return false;
    }
    // The scanner flushes before it moves to another buffer, so a batch never spans two.
    if (this.batchRows === 0) this.batchBuf = buf;
    else if (buf !== this.batchBuf) throw new Error('a batch of records spans two buffers');
    const batch = this.batch;
    const width = this.columns.length;
    const base = batch.base;
    const n = count < width ? count : width;
    if (escapes) {
      const escaped = batch.escaped;
      for (let i = base; i < base + n; i++) if (escaped[i] === 1) this.unescapeCell(buf, i);
    }
    // Fields the row lacks are empty cells, which count as missing; extra ones are overwritten
    // by the next row.
    if (count < width) {
      batch.starts.fill(0, base + count, base + width);
      batch.ends.fill(0, base + count, base + width);
    }
    if (count !== width) this.noteRagged(count < width);
    this.rows++;
    batch.base = base + width;
    return ++this.batchRows === this.capacity || this.rows === WARM_UP_ROWS;
  }

  /** Copies the buffer the scanner starts on into the kernel's memory (the batch is empty now). */
  begin(data: Uint8Array): void {
    this.kernel.reserve(data.length + 8);
    this.refreshViews();
    this.kernel.bytes.set(data, 0);
    this.scanned = data;
  }

  /**
   * The plain records from `from` on, split by the kernel (see RecordSink.scanSimple): once the
   * columns are known, as many as fit the batch (and the first batch's cut at WARM_UP_ROWS).
   */
  scanSimple(data: Uint8Array, from: number, stop: number, delimiter: number, cr: boolean): SimpleScan {
    const simple = this.simple;
    simple.records = 0;
    const width = this.columns.length;
    if (width === 0 || data !== this.scanned || (this.batchRows > 0 && data !== this.batchBuf)) return simple;
    let maxRows = this.capacity - this.batchRows;
    if (this.rows < WARM_UP_ROWS) maxRows = Math.min(maxRows, WARM_UP_ROWS - this.rows);
    const batch = this.batch;
    const rows = this.kernel.scanLines(from, stop, delimiter, batch.base, width, maxRows, MAX_RECORD_BYTES, cr);
    if (rows === 0) return simple;
    // Quoted fields with doubled quotes, as `record` takes them: the text with each pair made one quote.
    const escaped = this.kernel.scanEnd[1] as number;
    const cells = this.kernel.escapes;
    for (let k = 0; k < escaped; k++) this.unescapeCell(data, cells[k] as number);
    this.batchBuf = data;
    batch.base += rows * width;
    this.rows += rows;
    this.batchRows += rows;
    simple.records = rows;
    simple.end = this.kernel.scanEnd[0] as number;
    simple.full = this.batchRows === this.capacity || this.rows === WARM_UP_ROWS;
    return simple;
  }

  /**
   * One JSON Lines object: keys become columns in order of first appearance; a column first seen
   * late counts as missing in the earlier rows. Values arrive as text (`null` = missing).
   */
  jsonRecord(entries: ReadonlyArray<readonly [string, string | null]>): void {
    this.hasHeader = true;
    for (const [key] of entries) {
      if (this.columnIndex.has(key)) continue;
      if (this.columns.length >= MAX_COLUMNS) throw tooManyColumns();
      // The earlier rows are complete: profile them before the layout changes.
      this.flush();
      this.columnIndex.set(key, this.columns.length);
      this.sizes = sketchSizesFor(Math.max(this.columns.length + 1, entries.length));
      const column = new ColumnProfile(key, this.sizes, this.budget, this.numberStyle);
      column.addMissing(this.rows);
      this.columns.push(column);
      this.layout();
    }
    // Offsets point into the arena only (the batch buffer stays empty): absent keys are empty cells.
    const { starts, ends, base } = this.batch;
    const width = this.columns.length;
    starts.fill(0, base, base + width);
    ends.fill(0, base, base + width);
    for (const [key, text] of entries) {
      if (text === null) continue;
      const at = base + (this.columnIndex.get(key) as number);
      starts[at] = this.encode(text);
      ends[at] = this.arenaEnd;
    }
    this.rows++;
    this.batch.base = base + width;
    if (++this.batchRows === this.capacity || this.arenaLength > ARENA_FLUSH_BYTES || this.rows === WARM_UP_ROWS) this.flush();
  }

  /**
   * The file has about `rows` data rows in all (from its size): the exact figures' arrays take
   * room for them now, while they are short (each column in proportion to what it holds so far).
   */
  expectRows(rows: number): void {
    const seen = this.rows;
    if (seen === 0 || rows <= seen) return;
    const scale = rows / seen;
    for (const column of this.columns) {
      column.exactNumbers?.expect(Math.ceil(column.exactNumbers.length * scale));
      column.exactDates?.expect(Math.ceil(column.exactDates.length * scale));
    }
    this.extras.expectRows(rows);
    this.duplicates.expectRows(rows);
  }

  /**
   * Profiles the batched rows. The scanner calls it before the buffer it reported records from
   * is reused; the stream calls it once at the end.
   */
  flush(): void {
    const rows = this.batchRows;
    if (rows === 0) return;
    const columns = this.columns;
    const width = columns.length;
    const batch = this.batch;
    batch.buf = this.batchBuf;
    this.copyToKernel();
    const extras = this.extras;
    const kernel = this.kernel;
    extras.startBatch(batch, rows, width);
    for (let c = 0; c < width; c++) {
      const column = columns[c] as ColumnProfile;
      column.addBatch(batch, c, rows);
      const totals = kernel.totals;
      extras.column(c, kernel.kinds, kernel.values, rows, column.exactNumbers, totals[ValueKind.Missing] as number, (totals[ValueKind.Integer] as number) + (totals[ValueKind.Decimal] as number));
    }
    extras.endBatch();
    this.kernel.rowHashes(rows, width);
    this.duplicates.addRows(this.kernel.rowHash1, this.kernel.rowHash2, rows);
    this.batchRows = 0;
    this.arenaLength = 0;
    this.batchBuf = EMPTY;
    batch.base = 0;
  }

  /**
   * Puts the batch's bytes in the kernel's memory: its buffer is the one the scanner copied there
   * (`begin`); JSON Lines batches have none. The arena goes after it.
   */
  private copyToKernel(): void {
    const kernel = this.kernel;
    const batch = this.batch;
    if (this.batchBuf !== this.scanned) this.begin(this.batchBuf);
    const arenaAt = Math.ceil(this.scanned.length / 8) * 8;
    const arenaBytes = this.arenaLength;
    kernel.reserve(arenaAt + arenaBytes + 8);
    this.refreshViews();
    kernel.bytes.set(this.arena.subarray(0, arenaBytes), arenaAt);
    batch.bufBase = kernel.bytesAt;
    batch.arenaBase = kernel.bytesAt + arenaAt;
  }

  /** The batch's arrays are views of the kernel's memory, new after it grew. */
  private refreshViews(): void {
    const batch = this.batch;
    batch.starts = this.kernel.starts;
    batch.ends = this.kernel.ends;
    batch.hashes = this.kernel.hashes;
  }

  /** Sizes the batch for the current width (only while it is empty, or holds the first row). */
  private layout(): void {
    const width = Math.max(1, this.columns.length);
    this.capacity = Math.max(1, Math.min(BATCH_ROWS, Math.floor(BATCH_CELLS / width)));
    this.batch.stride = width;
  }

  /** Room for `bytes` more in the arena; earlier offsets stay valid. */
  private reserve(bytes: number): Uint8Array {
    const needed = this.arenaLength + bytes;
    if (needed > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.arena.subarray(0, this.arenaLength), 0);
      this.arena = grown;
      this.batch.arena = grown;
    }
    return this.arena;
  }

  /** Batch cell i (a quoted field's content in `buf`) becomes its copy in the arena, each doubled quote made one. */
  private unescapeCell(buf: Uint8Array, i: number): void {
    const { starts, ends } = this.batch;
    starts[i] = this.unescape(buf, starts[i] as number, ends[i] as number);
    ends[i] = this.arenaEnd;
  }

  /** Copies a quoted field's content into the arena with each doubled quote reduced to one; returns the cell's start. */
  private unescape(buf: Uint8Array, s: number, e: number): number {
    const out = this.reserve(e - s);
    const from = this.arenaLength;
    let j = from;
    for (let i = s; i < e; i++) {
      const b = buf[i] as number;
      out[j++] = b;
      if (b === 0x22 && buf[i + 1] === 0x22) i++;
    }
    this.arenaLength = j;
    this.arenaEnd = j;
    return -1 - from;
  }

  private encode(text: string): number {
    const out = this.reserve(text.length * 3);
    const from = this.arenaLength;
    const { written } = encoder.encodeInto(text, out.subarray(from));
    this.arenaLength = from + written;
    this.arenaEnd = this.arenaLength;
    return -1 - from;
  }

  private startColumns(buf: Uint8Array, count: number, escapes: boolean): void {
    if (count > MAX_COLUMNS) throw tooManyColumns();
    const { starts, ends, escaped } = this.batch;
    const cells: string[] = [];
    let looksLikeData = false;
    for (let i = 0; i < count; i++) {
      let data = buf;
      let s = starts[i] as number;
      let e = ends[i] as number;
      if (escapes && escaped[i] === 1) {
        data = this.arena;
        s = -1 - this.unescape(buf, s, e);
        e = this.arenaEnd;
      }
      const kind = classify(data, s, e, this.numberStyle);
      // A header names columns; numbers or dates in the first row mean it is already data.
      if (kind === ValueKind.Integer || kind === ValueKind.Decimal || kind === ValueKind.Date || kind === ValueKind.DateTime) looksLikeData = true;
      cells.push(this.decoder.decode(data.subarray(s, e)).trim());
    }
    this.hasHeader = !looksLikeData;
    this.sizes = sketchSizesFor(count);
    const seen = new Set<string>();
    this.columns = cells.map((cell, i) => {
      let name = this.hasHeader && cell !== '' ? cell.slice(0, 200) : `column_${i + 1}`;
      if (seen.has(name)) {
        let k = 2;
        while (seen.has(`${name}_${k}`)) k++;
        name = `${name}_${k}`;
      }
      seen.add(name);
      return new ColumnProfile(name, this.sizes, this.budget, this.numberStyle);
    });
    this.arenaLength = 0;
    this.layout();
  }

  private noteRagged(short: boolean): void {
    if (short) this.shortRows++;
    else this.longRows++;
    if (this.raggedExamples.length < RAGGED_EXAMPLES) this.raggedExamples.push(this.rows + 1);
  }
}

function tooManyColumns(): ProcessingError {
  return new ProcessingError('too_many_columns', `The file has more than ${MAX_COLUMNS.toLocaleString('en-US')} columns, which is more than this report supports.`);
}
