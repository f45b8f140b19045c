import { createRequire } from 'node:module';
import { CELLS_WASM } from './cells-wasm';
import { NumberStyle } from './value-parser';

/** Cells a column takes at once (the profiler's batches are at most this many rows). */
export const BATCH_ROWS = 4096;

let compiled: WebAssembly.Module | undefined;

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  cells(
    starts: number, ends: number, hashes: number, at: number, stride: number, n: number, bufBase: number, arenaBase: number,
    kinds: number, values: number, lengths: number, totals: number, numbers: number, dates: number, stats: number, numberStyle: number,
  ): void;
  rowHashes(hashes: number, rows: number, width: number, h1: number, h2: number): void;
  scanLines(data: number, pos: number, stop: number, delimiter: number, starts: number, ends: number, base: number, width: number, maxRows: number, maxRecord: number, cr: number, out: number, escapeList: number, maxEscapes: number): number;
  exactCells(table: number, starts: number, ends: number, hashes: number, kinds: number, at: number, stride: number, from: number, n: number, bufBase: number, arenaBase: number): number;
  exactAdd(table: number, hash: number, tag: number, at: number, n: number, count: number): number;
  exactRehash(table: number): void;
}

const PAGE = 65536;
const latin1 = new TextDecoder('latin1');
const OUT_BYTES_PER_ROW = 37;
/** Offsets (in rows × bytes) of the per-row outputs, after the cells region. */
const KINDS_AT = 0;
const VALUES_AT = BATCH_ROWS;
const NUMBERS_AT = BATCH_ROWS * 9;
const DATES_AT = BATCH_ROWS * 17;
const LENGTHS_AT = BATCH_ROWS * 25;
const ROW_HASH1_AT = BATCH_ROWS * 29;
const ROW_HASH2_AT = BATCH_ROWS * 33;
const TOTALS_AT = BATCH_ROWS * OUT_BYTES_PER_ROW;
const STATS_AT = TOTALS_AT + 64;
const SCAN_END_AT = STATS_AT + 80;
/** The cells of a scan's quoted fields with doubled quotes (scanLines), up to SCAN_ESCAPES of them. */
const ESCAPES_AT = SCAN_END_AT + 16;
export const SCAN_ESCAPES = 1024;
const align = (n: number, to: number): number => Math.ceil(n / to) * to;
/** Room the exact tables' heap starts with, before the batch's bytes (it grows by moving them). */
const INITIAL_HEAP = 64 * 1024;
/** Bytes past the batch's that the kernel may read (and ignore): its value comparisons read words. */
const OVER_READ = 16;
/** Smallest block of the heap: blocks are powers of two from here, so a freed one fits the next of its size. */
const LOG_MIN_BLOCK = 6;
const MIN_BLOCK = 2 ** LOG_MIN_BLOCK;

/**
 * The kernel's WebAssembly, as `npm run build:wasm` compiled it. zlib is loaded here, when the
 * first profile starts, not when the function's module loads (2–3 ms of its cold start).
 */
export function kernelBinary(): Uint8Array<ArrayBuffer> {
  const { inflateRawSync } = createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');
  return new Uint8Array(inflateRawSync(Buffer.from(CELLS_WASM, 'base64')));
}

/**
 * One profile's instance of the cell kernel (assembly/cells.ts compiled to WebAssembly), with its
 * own memory: the batch's cell offsets and hashes live there (the scanner writes them in place),
 * each buffer the scanner works on is copied in before it is scanned (the arena before each
 * batch), and the kernel writes each column's kinds, values and lengths there for the
 * JavaScript sketches to read.
 *
 * The exact distinct-value tables (ExactValues in exact-values.ts) live in the same memory, in a
 * heap between the per-row outputs and the batch's bytes, so that the kernel counts a column's
 * cells where they are. When the heap needs more room the batch's bytes move up (`bytesAt`
 * changes; `relocations` counts the moves, so a caller holding offsets can tell).
 *
 * Instantiated per profile, so concurrent profiles in one process never share a buffer.
 */
export class CellKernel {
  starts!: Int32Array;
  ends!: Int32Array;
  hashes!: Int32Array;
  kinds!: Uint8Array;
  /**
   * Per cell: parsed value and length. The profile reads the kernel's totals and gathered numbers
   * instead; these let the parity test check every cell (writing them costs ≤ 1 %, measured).
   */
  values!: Float64Array;
  lengths!: Int32Array;
  /**
   * Per column call: counts per kind [0…6], true booleans [8], kinds seen [9], min/max length
   * [10, 11], numbers read with thousands separators [12] or a decimal comma [13], numbers not
   * written as String(value) writes them [14].
   */
  totals!: Int32Array;
  /** Per column call: the numbers and the dates, in order. */
  numbers!: Float64Array;
  dates!: Float64Array;
  /** Running statistics in and out of a column call: count, mean, m2, min, max of the numbers, then of the dates. */
  stats!: Float64Array;
  /** Per batch: the two hashes of each row. */
  rowHash1!: Int32Array;
  rowHash2!: Int32Array;
  /** Where the last `scanLines` stopped [0], and how many cells it listed in `escapes` [1]. */
  scanEnd!: Int32Array;
  /** The cells (row × width + field, from the scan's `base`) of the last scan's quoted fields with doubled quotes. */
  escapes!: Int32Array;
  /** Memory from `bytesAt` on holds the batch's bytes. */
  bytes!: Uint8Array;
  /** Where the batch's bytes start; higher after the heap grew (see `relocations`). */
  bytesAt: number;
  /** Times the batch's bytes moved up for the heap: offsets based on `bytesAt` move by as much. */
  relocations = 0;
  /** The whole memory, for the exact tables (new when it grew). */
  heap8!: Uint8Array;
  heap32!: Int32Array;
  private readonly exports: KernelExports;
  private readonly heapAt: number;
  /** The heap's blocks are handed out from `heapTop` up to `bytesAt`; freed ones by size (log2). */
  private heapTop: number;
  private readonly freeBlocks: number[][] = [];
  /** Bytes from `bytesAt` in use: the last `reserve` (what moves with them). */
  private bytesInUse = 0;
  private readonly cellsAt: number;
  private readonly cellCount: number;
  private readonly outAt: number;

  constructor(cellCount: number) {
    compiled ??= new WebAssembly.Module(kernelBinary());
    // Numbers with an exponent or more than 15 significant digits: JavaScript's Number(), as the
    // JavaScript parser does (rare; it reads the bytes from the kernel's memory).
    const numberText = (start: number, end: number): number => Number(latin1.decode(new Uint8Array(this.exports.memory.buffer, start, end - start)));
    this.exports = new WebAssembly.Instance(compiled, { env: { numberText } }).exports as unknown as KernelExports;
    this.cellCount = cellCount;
    this.cellsAt = align(this.exports.heapBase(), 16);
    this.outAt = this.cellsAt + align(cellCount * 4, 16) * 3;
    // Per row of a batch: kind (1 byte), value (8), length (4), number (8), date (8), two row
    // hashes (4 + 4); then the totals (64 bytes), the statistics (80), the scan's end (16) and
    // its list of cells with doubled quotes.
    this.heapAt = align(this.outAt + ESCAPES_AT + SCAN_ESCAPES * 4, MIN_BLOCK);
    this.heapTop = this.heapAt;
    this.bytesAt = this.heapAt + INITIAL_HEAP;
    this.reserve(64 * 1024);
  }

  /** Room for `size` bytes at `bytesAt`; the views are new when the memory had to grow. */
  reserve(size: number): void {
    this.bytesInUse = size;
    this.ensure(this.bytesAt + size + OVER_READ);
  }

  /** Memory up to `end`; the views are new when it had to grow. */
  private ensure(end: number): void {
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    else if (this.bytes !== undefined && this.bytes.byteOffset === this.bytesAt) return;
    const buffer = memory.buffer;
    this.heap8 = new Uint8Array(buffer);
    this.heap32 = new Int32Array(buffer);
    const n = this.cellCount;
    this.starts = new Int32Array(buffer, this.cellsAt, n);
    this.ends = new Int32Array(buffer, this.cellsAt + align(n * 4, 16), n);
    this.hashes = new Int32Array(buffer, this.cellsAt + 2 * align(n * 4, 16), n);
    const out = this.outAt;
    this.kinds = new Uint8Array(buffer, out + KINDS_AT, BATCH_ROWS);
    this.values = new Float64Array(buffer, out + VALUES_AT, BATCH_ROWS);
    this.numbers = new Float64Array(buffer, out + NUMBERS_AT, BATCH_ROWS);
    this.dates = new Float64Array(buffer, out + DATES_AT, BATCH_ROWS);
    this.lengths = new Int32Array(buffer, out + LENGTHS_AT, BATCH_ROWS);
    this.rowHash1 = new Int32Array(buffer, out + ROW_HASH1_AT, BATCH_ROWS);
    this.rowHash2 = new Int32Array(buffer, out + ROW_HASH2_AT, BATCH_ROWS);
    this.totals = new Int32Array(buffer, out + TOTALS_AT, 16);
    this.stats = new Float64Array(buffer, out + STATS_AT, 10);
    this.scanEnd = new Int32Array(buffer, out + SCAN_END_AT, 2);
    this.escapes = new Int32Array(buffer, out + ESCAPES_AT, SCAN_ESCAPES);
    this.bytes = new Uint8Array(buffer, this.bytesAt);
  }

  /**
   * Kinds, values, lengths and hashes of cells at + i · stride (i < n). Cell offsets ≥ 0 are
   * into memory at `bufBase`, negative ones (−1 − offset) into memory at `arenaBase`. `stats`
   * holds the column's running statistics before the call and after it.
   */
  cells(at: number, stride: number, n: number, bufBase: number, arenaBase: number, numberStyle: NumberStyle = NumberStyle.Plain): void {
    const { cellsAt, outAt } = this;
    const columnBytes = align(this.cellCount * 4, 16);
    this.exports.cells(
      cellsAt, cellsAt + columnBytes, cellsAt + 2 * columnBytes, at, stride, n, bufBase, arenaBase,
      outAt + KINDS_AT, outAt + VALUES_AT, outAt + LENGTHS_AT, outAt + TOTALS_AT, outAt + NUMBERS_AT, outAt + DATES_AT, outAt + STATS_AT, numberStyle,
    );
  }

  /**
   * A block of at least `size` bytes of the heap, for an exact table (its contents are not
   * cleared); returns its address. Blocks are powers of two, so one freed by a table that grew
   * is handed to the next table that wants its size.
   */
  alloc(size: number): number {
    const log = Math.max(LOG_MIN_BLOCK, 32 - Math.clz32(size - 1));
    const reused = this.freeBlocks[log]?.pop();
    if (reused !== undefined) return reused;
    const block = 2 ** log;
    if (this.heapTop + block > this.bytesAt) this.growHeap(this.heapTop + block);
    const at = this.heapTop;
    this.heapTop += block;
    return at;
  }

  /** Bytes the heap can still hand out before the batch's bytes must move. */
  get heapRoom(): number {
    return this.bytesAt - this.heapTop;
  }

  /** Gives back a block `alloc(size)` returned. */
  free(at: number, size: number): void {
    const log = Math.max(LOG_MIN_BLOCK, 32 - Math.clz32(size - 1));
    if (at + 2 ** log === this.heapTop) this.heapTop = at;
    else (this.freeBlocks[log] ??= []).push(at);
  }

  /**
   * Room in the heap up to `end`: the batch's bytes (the part in use) move up, the heap at least
   * doubling so that they move a few times per profile at most.
   */
  private growHeap(end: number): void {
    const to = align(Math.max(end, this.heapAt + 2 * (this.bytesAt - this.heapAt)), MIN_BLOCK);
    this.ensure(to + this.bytesInUse + OVER_READ);
    this.heap8.copyWithin(to, this.bytesAt, this.bytesAt + this.bytesInUse);
    this.bytesAt = to;
    this.relocations++;
    this.ensure(to + this.bytesInUse + OVER_READ);
  }

  /**
   * Counts cells from … n−1 of the column at `at` (laid out as for `cells`, whose kinds it reads)
   * in the exact table whose header is at `table`; returns n, or the first new cell the table
   * has no room for (see exactCells in assembly/cells.ts).
   */
  exactCells(table: number, at: number, stride: number, from: number, n: number, bufBase: number, arenaBase: number): number {
    const { cellsAt, outAt } = this;
    const columnBytes = align(this.cellCount * 4, 16);
    return this.exports.exactCells(table, cellsAt, cellsAt + columnBytes, cellsAt + 2 * columnBytes, outAt + KINDS_AT, at, stride, from, n, bufBase, arenaBase);
  }

  /** Adds `count` to a value (its bytes at `bytes` in this memory); false when it is new and the table is full. */
  exactAdd(table: number, hash: number, tag: number, bytes: number, length: number, count: number): boolean {
    return this.exports.exactAdd(table, hash, tag, bytes, length, count) !== 0;
  }

  /** Puts every entry of the table in its (cleared) slots. */
  exactRehash(table: number): void {
    this.exports.exactRehash(table);
  }

  /** Both hashes of each of the batch's `rows` rows (`width` cells each) into rowHash1 and rowHash2. */
  rowHashes(rows: number, width: number): void {
    const columnBytes = align(this.cellCount * 4, 16);
    this.exports.rowHashes(this.cellsAt + 2 * columnBytes, rows, width, this.outAt + ROW_HASH1_AT, this.outAt + ROW_HASH2_AT);
  }

  /**
   * The scanner's fast path over the bytes at `bytesAt` (see scanLines in assembly/cells.ts):
   * returns the rows written from row `base` on; `scanEnd[0]` is where it stopped, and the first
   * `scanEnd[1]` of `escapes` are the cells whose doubled quotes the caller undoes. `cr`: the
   * bytes ahead hold a CR.
   */
  scanLines(from: number, stop: number, delimiter: number, base: number, width: number, maxRows: number, maxRecord: number, cr: boolean): number {
    const columnBytes = align(this.cellCount * 4, 16);
    return this.exports.scanLines(this.bytesAt, from, stop, delimiter, this.cellsAt, this.cellsAt + columnBytes, base, width, maxRows, maxRecord, cr ? 1 : 0, this.outAt + SCAN_END_AT, this.outAt + ESCAPES_AT, SCAN_ESCAPES);
  }
}
