import { ProcessingError } from '../processor';
import { ColumnProfile, MISSING_HASH, type SketchSizes, sketchSizesFor } from './column-profile';
import type { RecordSink } from './csv-scanner';
import { MAX_COLUMNS, MAX_RECORD_BYTES } from './limits';
import { RowDuplicates } from './row-duplicates';
import { ValueKind, classify } from './value-parser';

const RAGGED_EXAMPLES = 5;

/**
 * Turns records into column profiles: the first record names the columns (unless it looks like
 * data), every later record feeds one cell per column. Rows with too few cells count the rest as
 * missing; extra cells are ignored; both are counted for the report's warnings.
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
  private scratch = new Uint8Array(4096);
  private readonly columnIndex = new Map<string, number>();

  record(buf: Uint8Array, starts: Int32Array, ends: Int32Array, escaped: Uint8Array, count: number): void {
    if (this.columns.length === 0) {
      this.startColumns(buf, starts, ends, escaped, count);
      if (this.hasHeader) return;
    }
    const columns = this.columns;
    const width = columns.length;
    let h1 = 0x12345678;
    let h2 = 0x3c6ef372;
    const n = count < width ? count : width;
    for (let i = 0; i < n; i++) {
      let s = starts[i] as number;
      let e = ends[i] as number;
      let data = buf;
      if (escaped[i] === 1) {
        data = this.unescape(buf, s, e);
        s = 0;
        e = this.unescapedLength;
      }
      const h = (columns[i] as ColumnProfile).add(data, s, e);
      h1 = Math.imul(h1 ^ h, 0x01000193);
      h2 = Math.imul((h2 + h) | 0, 0x5bd1e995) ^ (h2 >>> 15);
    }
    if (count !== width) this.noteRagged(count < width);
    for (let i = n; i < width; i++) {
      (columns[i] as ColumnProfile).addMissing();
      h1 = Math.imul(h1 ^ MISSING_HASH, 0x01000193);
      h2 = Math.imul((h2 + MISSING_HASH) | 0, 0x5bd1e995) ^ (h2 >>> 15);
    }
    this.rows++;
    this.duplicates.add(h1, h2);
  }

  /**
   * One JSON Lines object: keys become columns in order of first appearance; a column first seen
   * late counts as missing in the earlier rows. Values arrive as text (`null` = missing).
   */
  jsonRecord(entries: ReadonlyArray<readonly [string, string | null]>): void {
    this.hasHeader = true;
    const present = new Uint8Array(this.columns.length + entries.length);
    let h1 = 0x12345678;
    let h2 = 0x3c6ef372;
    for (const [key, text] of entries) {
      let index = this.columnIndex.get(key);
      if (index === undefined) {
        if (this.columns.length >= MAX_COLUMNS) throw tooManyColumns();
        index = this.columns.length;
        this.columnIndex.set(key, index);
        this.sizes = sketchSizesFor(Math.max(this.columns.length + 1, entries.length));
        const column = new ColumnProfile(key, this.sizes);
        for (let r = 0; r < this.rows; r++) column.addMissing();
        this.columns.push(column);
      }
      if (present[index] === 1) continue;
      present[index] = 1;
      const column = this.columns[index] as ColumnProfile;
      let h = MISSING_HASH;
      if (text === null) {
        column.addMissing();
      } else {
        const bytes = this.encode(text);
        h = column.add(bytes, 0, this.unescapedLength);
      }
      h1 = Math.imul(h1 ^ (h + index), 0x01000193);
      h2 = Math.imul((h2 + h) | 0, 0x5bd1e995) ^ (h2 >>> 15);
    }
    for (let i = 0; i < this.columns.length; i++) if (present[i] !== 1) (this.columns[i] as ColumnProfile).addMissing();
    this.rows++;
    this.duplicates.add(h1, h2);
  }

  private unescapedLength = 0;

  /** Copies a quoted field's content with each doubled quote reduced to one. */
  private unescape(buf: Uint8Array, s: number, e: number): Uint8Array {
    if (this.scratch.length < e - s) this.scratch = new Uint8Array(Math.max(e - s, Math.min(MAX_RECORD_BYTES, (e - s) * 2)));
    const out = this.scratch;
    let j = 0;
    for (let i = s; i < e; i++) {
      const b = buf[i] as number;
      out[j++] = b;
      if (b === 0x22 && buf[i + 1] === 0x22) i++;
    }
    this.unescapedLength = j;
    return out;
  }

  private encode(text: string): Uint8Array {
    if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
    const { written } = new TextEncoder().encodeInto(text, this.scratch);
    this.unescapedLength = written;
    return this.scratch;
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
        data = this.unescape(buf, s, e);
        s = 0;
        e = this.unescapedLength;
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
