import { CELLS_WASM } from './cells-wasm';

/** Cells a column takes at once (the profiler's batches are at most this many rows). */
export const BATCH_ROWS = 4096;

let compiled: WebAssembly.Module | undefined;

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  cells(starts: number, ends: number, hashes: number, at: number, stride: number, n: number, bufBase: number, arenaBase: number, kinds: number, values: number, lengths: number, totals: number): void;
}

const PAGE = 65536;
const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/**
 * One profile's instance of the cell kernel (assembly/cells.ts compiled to WebAssembly), with its
 * own memory: the batch's cell offsets and hashes live there (the scanner writes them in place),
 * the batch's bytes are copied in before each batch is profiled, and the kernel writes each
 * column's kinds, values and lengths there for the JavaScript sketches to read.
 *
 * Instantiated per profile, so concurrent profiles in one process never share a buffer.
 */
export class CellKernel {
  starts!: Int32Array;
  ends!: Int32Array;
  hashes!: Int32Array;
  kinds!: Uint8Array;
  values!: Float64Array;
  lengths!: Int32Array;
  /** Per column call: counts per kind [0…7], true booleans [8], kinds seen [9], min/max length [10, 11]. */
  totals!: Int32Array;
  /** Memory from `bytesAt` on holds the batch's bytes. */
  bytes!: Uint8Array;
  readonly bytesAt: number;
  private readonly exports: KernelExports;
  private readonly cellsAt: number;
  private readonly cellCount: number;
  private readonly outAt: number;

  constructor(cellCount: number) {
    compiled ??= new WebAssembly.Module(Buffer.from(CELLS_WASM, 'base64'));
    this.exports = new WebAssembly.Instance(compiled, {}).exports as unknown as KernelExports;
    this.cellCount = cellCount;
    this.cellsAt = align(this.exports.heapBase(), 16);
    this.outAt = this.cellsAt + align(cellCount * 4, 16) * 3;
    // kinds (1 byte), values (8), lengths (4) per row of a batch, then the totals.
    this.bytesAt = align(this.outAt + BATCH_ROWS * 13 + 64, 16);
    this.reserve(64 * 1024);
  }

  /** Room for `size` bytes at `bytesAt`; the views are new when the memory had to grow. */
  reserve(size: number): void {
    const memory = this.exports.memory;
    const needed = this.bytesAt + size;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    else if (this.bytes !== undefined) return;
    const buffer = memory.buffer;
    const n = this.cellCount;
    this.starts = new Int32Array(buffer, this.cellsAt, n);
    this.ends = new Int32Array(buffer, this.cellsAt + align(n * 4, 16), n);
    this.hashes = new Int32Array(buffer, this.cellsAt + 2 * align(n * 4, 16), n);
    this.kinds = new Uint8Array(buffer, this.outAt, BATCH_ROWS);
    this.values = new Float64Array(buffer, this.outAt + BATCH_ROWS, BATCH_ROWS);
    this.lengths = new Int32Array(buffer, this.outAt + BATCH_ROWS * 9, BATCH_ROWS);
    this.totals = new Int32Array(buffer, this.outAt + BATCH_ROWS * 13, 16);
    this.bytes = new Uint8Array(buffer, this.bytesAt);
  }

  /**
   * Kinds, values, lengths and hashes of cells at + i · stride (i < n). Cell offsets ≥ 0 are
   * into memory at `bufBase`, negative ones (−1 − offset) into memory at `arenaBase`.
   */
  cells(at: number, stride: number, n: number, bufBase: number, arenaBase: number): void {
    const { cellsAt, outAt } = this;
    const columnBytes = align(this.cellCount * 4, 16);
    this.exports.cells(cellsAt, cellsAt + columnBytes, cellsAt + 2 * columnBytes, at, stride, n, bufBase, arenaBase, outAt, outAt + BATCH_ROWS, outAt + BATCH_ROWS * 9, outAt + BATCH_ROWS * 13);
  }
}
