import { ProcessingError } from '../processor';
import { BATCH_ROWS, type CellBatch, ColumnProfile, type SketchSizes, sketchSizesFor } from './column-profile';
import type { RecordSink } from './csv-scanner';
import { MAX_COLUMNS } from './limits';
import { RowDuplicates } from './row-duplicates';
import { ValueKind, classify } from './value-parser';

const RAGGED_EXAMPLES = 5;
/**
 * Cells held per batch at most (×12 bytes of offsets and hashes). A narrow file's batch is
 * BATCH_ROWS rows (a few hundred KB); a very wide one still gets dozens of rows per batch, so
 * each column's sketches are visited once per batch, not once per row.
 */
const BATCH_CELLS = 1 << 19;
/** A JSON Lines batch is processed once its copied text passes this. */
const ARENA_FLUSH_BYTES = 1 << 20;
const encoder = new TextEncoder();

/**
 * Turns records into column profiles: the first record names the columns (unless it looks like
 * data), every later record feeds one cell per column. Rows with too few cells count the rest as
 * missing; extra cells are ignored; both are counted for the report's warnings.
 *
 * Records are gathered into a column-major batch (cell offsets only, no copies, except quoted
 * cells with doubled quotes, which are unescaped into an arena) and each column then takes its
 * whole batch in one call. One column's sketches and tables stay in cache for a few thousand
 * values instead of being visited once per row, which is most of the cost on a row-at-a-time
 * pass. Each column sees its values in file order, so the results are the same as one by one.
 */
export class DataProfiler implements RecordSink {
  columns: ColumnProfile[] = [];
  hasHeader = true;
  rows = 0;
  shortRows = 0;
  longRows = 0;
  /** 1-based data row numbers of the first ragged rows, for the warning text. */
  readonly raggedExamples: number[] = [];
  readonly duplicates = new RowDuplicates();
  private sizes: SketchSizes = sketchSizesFor(1);
  private readonly decoder = new TextDecoder();
  private readonly columnIndex = new Map<string, number>();

  /** Rows per batch for the current width; cell (column c, row r) is at c * capacity + r. */
  private capacity = 0;
  private batchRows = 0;
  /** The buffer the batch's offsets point into (the scanner's, valid until `flush`). */
  private batchBuf: Uint8Array = new Uint8Array(0);
  /** Unescaped or encoded cells; a cell stored here has start −1 − offset. */
  private arena = new Uint8Array(64 * 1024);
  private arenaLength = 0;
  private readonly batch: CellBatch = {
    buf: this.batchBuf,
    bufView: new DataView(this.batchBuf.buffer),
    arena: this.arena,
    arenaView: new DataView(this.arena.buffer),
    starts: new Int32Array(0),
    ends: new Int32Array(0),
    hashes: new Int32Array(0),
  };
  private arenaEnd = 0;

  record(buf: Uint8Array, starts: Int32Array, ends: Int32Array, escaped: Uint8Array, count: number): void {
    if (this.columns.length === 0) {
      this.startColumns(buf, starts, ends, escaped, count);
      if (this.hasHeader) return;
    }
    if (buf !== this.batchBuf) {
      this.flush();
      this.batchBuf = buf;
    }
    const width = this.columns.length;
    const capacity = this.capacity;
    const bs = this.batch.starts;
    const be = this.batch.ends;
    const n = count < width ? count : width;
    let at = this.batchRows;
    for (let i = 0; i < n; i++, at += capacity) {
      if (escaped[i] === 1) {
        bs[at] = this.unescape(buf, starts[i] as number, ends[i] as number);
        be[at] = this.arenaEnd;
      } else {
        bs[at] = starts[i] as number;
        be[at] = ends[i] as number;
      }
    }
    // Fields the row lacks are empty cells, which count as missing.
    for (let i = n; i < width; i++, at += capacity) {
      bs[at] = 0;
      be[at] = 0;
    }
    if (count !== width) this.noteRagged(count < width);
    this.rows++;
    if (++this.batchRows === capacity) this.flush();
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
      const column = new ColumnProfile(key, this.sizes);
      column.addMissing(this.rows);
      this.columns.push(column);
      this.layout();
    }
    // Offsets point into the arena only (this.batchBuf stays empty): absent keys are empty cells.
    const capacity = this.capacity;
    const row = this.batchRows;
    const { starts, ends } = this.batch;
    for (let c = 0, at = row; c < this.columns.length; c++, at += capacity) {
      starts[at] = 0;
      ends[at] = 0;
    }
    for (const [key, text] of entries) {
      if (text === null) continue;
      const at = (this.columnIndex.get(key) as number) * capacity + row;
      starts[at] = this.encode(text);
      ends[at] = this.arenaEnd;
    }
    this.rows++;
    if (++this.batchRows === capacity || this.arenaLength > ARENA_FLUSH_BYTES) this.flush();
  }

  /**
   * Profiles the batched rows. The scanner calls it before the buffer it reported records from
   * is reused; the stream calls it once at the end.
   */
  flush(): void {
    const rows = this.batchRows;
    if (rows === 0) return;
    const columns = this.columns;
    const capacity = this.capacity;
    const batch = this.batch;
    const hashes = batch.hashes;
    if (batch.buf !== this.batchBuf) {
      batch.buf = this.batchBuf;
      batch.bufView = new DataView(this.batchBuf.buffer, this.batchBuf.byteOffset, this.batchBuf.byteLength);
    }
    const h1 = ROW_H1;
    const h2 = ROW_H2;
    h1.fill(0x12345678, 0, rows);
    h2.fill(0x3c6ef372, 0, rows);
    // Two independent 32-bit hashes per row, from its cells' hashes in column order (folded in
    // column by column, so every loop reads memory in sequence).
    for (let c = 0; c < columns.length; c++) {
      const at = c * capacity;
      (columns[c] as ColumnProfile).addBatch(batch, at, rows);
      for (let r = 0; r < rows; r++) {
        const h = hashes[at + r] as number;
        h1[r] = Math.imul((h1[r] as number) ^ h, 0x01000193);
        const b = h2[r] as number;
        h2[r] = Math.imul((b + h) | 0, 0x5bd1e995) ^ (b >>> 15);
      }
    }
    const duplicates = this.duplicates;
    for (let r = 0; r < rows; r++) duplicates.add(h1[r] as number, h2[r] as number);
    this.batchRows = 0;
    this.arenaLength = 0;
    this.batchBuf = EMPTY;
  }

  /** Sizes the batch for the current width (only while it is empty). */
  private layout(): void {
    const width = Math.max(1, this.columns.length);
    this.capacity = Math.max(1, Math.min(BATCH_ROWS, Math.floor(BATCH_CELLS / width)));
    const cells = this.capacity * width;
    if (this.batch.starts.length < cells) {
      this.batch.starts = new Int32Array(cells);
      this.batch.ends = new Int32Array(cells);
      this.batch.hashes = new Int32Array(cells);
    }
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
      this.batch.arenaView = new DataView(grown.buffer);
    }
    return this.arena;
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

  private startColumns(buf: Uint8Array, starts: Int32Array, ends: Int32Array, escaped: Uint8Array, count: number): void {
    if (count > MAX_COLUMNS) throw tooManyColumns();
    const cells: string[] = [];
    let looksLikeData = false;
    for (let i = 0; i < count; i++) {
      let data = buf;
      let s = starts[i] as number;
      let e = ends[i] as number;
      if (escaped[i] === 1) {
        data = this.arena;
        s = -1 - this.unescape(buf, s, e);
        e = this.arenaEnd;
      }
      const kind = classify(data, s, e);
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
      return new ColumnProfile(name, this.sizes);
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

const EMPTY = new Uint8Array(0);
const ROW_H1 = new Int32Array(BATCH_ROWS);
const ROW_H2 = new Int32Array(BATCH_ROWS);

function tooManyColumns(): ProcessingError {
  return new ProcessingError('too_many_columns', `The file has more than ${MAX_COLUMNS.toLocaleString('en-US')} columns, which is more than this report supports.`);
}
