/**
 * The exact side of the profile: every distinct value of a column with its true count, and every
 * number and date of a column, held while the profile's memory budget allows. Past the budget the
 * column's figure falls back to its sketch (column-profile.ts seeds the sketch from what is held
 * here), so only the figures that did not fit become estimates.
 */

import { DEFAULT_PROFILE_MEMORY_BUDGET_MB } from '../../contract';
import type { CellKernel } from './cell-kernel';
import { type RankArray, RadixSorter, rankArray } from './radix-sort';

/**
 * A longer copy of the first `length` values of `values`, with room for at least `size`. It is
 * allocated GROWTH times larger than asked (up to MAX_GROWTH_VALUES more): an allocation costs
 * address space only, and a page of memory costs when it is first written (about 11 µs a 4 KiB
 * page on the benchmark machine, docs/processor.md). Growing by doubling wrote every value about
 * twice, once where it arrived and once in each copy; growing eightfold writes it about 1.14
 * times. The budget still counts what doubling would hold (ExactNumbers.capacity, RowExtras).
 */
export function grownArray(values: Float64Array, length: number, size: number): Float64Array<ArrayBuffer> {
  return sizedArray(values, length, Math.max(size, Math.min(size * GROWTH, size + MAX_GROWTH_VALUES)));
}

/** A copy of the first `length` values of `values` in an array of exactly `size`. */
export function sizedArray(values: Float64Array, length: number, size: number): Float64Array<ArrayBuffer> {
  const sized = new Float64Array(size);
  sized.set(values.subarray(0, length));
  return sized;
}
const GROWTH = 8;
/** 2^27 values: 1 GiB of address space at most beyond what was asked. */
const MAX_GROWTH_VALUES = 1 << 27;

/** Bytes the exact structures of one profile may hold in total; one budget per profile. */
export class MemoryBudget {
  used = 0;
  /** Largest `used` seen. */
  peak = 0;
  constructor(readonly limit: number) {}

  /** Reserves `bytes` more; false (nothing reserved) when that would pass the limit. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * Memory budget by default, in MB: the config's default (profileMemoryBudgetMb in
 * lambdas/config.ts), sized for the process function's 1,769 MB (docs/processor.md).
 */
export const DEFAULT_MEMORY_BUDGET_MB = DEFAULT_PROFILE_MEMORY_BUDGET_MB;

/**
 * What kind of cell an entry is (its key's first byte). Entries are keyed by their bytes, so
 * "0E0" and "0E1" stay two values in a text column; a number column merges 1.50 and 1.5 when
 * the report is built (build-report.ts), from its sorted values.
 */
export const KEY_TEXT = 0;
export const KEY_NUMBER = 1;
export const KEY_DATE = 2;

const INITIAL_ENTRIES = 64;
const INITIAL_ARENA = 1024;
const ENTRY_BYTES = 4 * 4;
/** What a table holds before it first grows; not taken from the budget. */
const INITIAL_BYTES = INITIAL_ENTRIES * (2 * 4 + ENTRY_BYTES) + INITIAL_ARENA;
/** The table's header in the kernel's memory: eight i32 (exactCells in assembly/cells.ts). */
const HEADER_BYTES = 8 * 4;
const SLOTS = 0;
const MASK = 1;
const ENTRIES = 2;
const SIZE = 3;
const ROOM = 4;
const KEYS = 5;
const KEYS_USED = 6;
const KEYS_ROOM = 7;

/**
 * Value → count, exact: open addressing on the cell's 32-bit hash, then the key's bytes compared,
 * so two values sharing a hash are still two values. Entries are kept in arrival order: a key
 * is a tag byte (the cell's kind), then the value's bytes. ≈ 24 bytes per distinct value plus
 * its bytes.
 *
 * The table lives in the profile's cell kernel memory (cell-kernel.ts), from the first batch it
 * counts on, so the kernel counts a column's cells of a batch in one call where they already
 * are (exactCells in assembly/cells.ts): about 24 ns a cell on the benchmark file, where a
 * JavaScript table took about 84 ns. JavaScript grows it, within the budget, when the kernel
 * finds it full.
 */
export class ExactValues {
  /** Bytes this object holds (reserved from the budget). */
  bytes = INITIAL_BYTES;
  private kernel: CellKernel | undefined;
  /** Address of the table's header in the kernel's memory. */
  private table = 0;

  constructor(private readonly budget: MemoryBudget) {}

  /** Distinct values held. */
  get size(): number {
    return this.kernel === undefined ? 0 : (this.kernel.heap32[(this.table >> 2) + SIZE] as number);
  }

  /** Puts the table in the kernel's memory (once: a profile has one kernel). */
  use(kernel: CellKernel): void {
    if (this.kernel !== undefined) return;
    const table = kernel.alloc(HEADER_BYTES);
    const slots = kernel.alloc(INITIAL_ENTRIES * 2 * 4);
    const entries = kernel.alloc(INITIAL_ENTRIES * ENTRY_BYTES);
    const keys = kernel.alloc(INITIAL_ARENA);
    const heap = kernel.heap32;
    heap.fill(0, slots >> 2, (slots >> 2) + INITIAL_ENTRIES * 2);
    heap.set([slots, INITIAL_ENTRIES * 2 - 1, entries, 0, INITIAL_ENTRIES, keys, 0, INITIAL_ARENA], table >> 2);
    this.kernel = kernel;
    this.table = table;
  }

  /**
   * Counts cells 0 … n−1 of the column at `at` of the kernel's batch (kinds as its last `cells`
   * call wrote them; missing cells are skipped). Returns n, or the first cell that is new and
   * does not fit the budget: the cells before it were counted, it and the rest were not. The
   * batch's bytes may have moved (kernel.bytesAt) if the table grew.
   */
  addCells(kernel: CellKernel, at: number, stride: number, n: number, bufBase: number, arenaBase: number): number {
    // Taking room in the kernel's heap may move the batch's bytes up: the bases follow them.
    let bytesAt = kernel.bytesAt;
    this.use(kernel);
    let i = 0;
    for (;;) {
      bufBase += kernel.bytesAt - bytesAt;
      arenaBase += kernel.bytesAt - bytesAt;
      bytesAt = kernel.bytesAt;
      i = kernel.exactCells(this.table, at, stride, i, n, bufBase, arenaBase);
      if (i === n) return n;
      const p = at + i * stride;
      const s = kernel.starts[p] as number;
      const e = kernel.ends[p] as number;
      if (!this.makeRoom(1 + (s >= 0 ? e - s : e + 1 + s))) return i;
    }
  }

  /**
   * Counts one value (`tag`: its kind) `count` times, through the kernel's memory. Returns false
   * when the value is new and there is no room for it within the budget: nothing was counted,
   * the caller falls back to sketches.
   */
  add(kernel: CellKernel, hash: number, tag: number, buf: Uint8Array, start: number, end: number, count: number): boolean {
    this.use(kernel);
    const n = end - start;
    const at = kernel.alloc(Math.max(1, n));
    kernel.heap8.set(buf.subarray(start, end), at);
    let added = kernel.exactAdd(this.table, hash, tag, at, n, count);
    if (!added && this.makeRoom(1 + n)) added = kernel.exactAdd(this.table, hash, tag, at, n, count);
    kernel.free(at, Math.max(1, n));
    return added;
  }

  /** Room for one more entry with a key of `keyBytes`: grows the entries, then the keys, as needed. */
  private makeRoom(keyBytes: number): boolean {
    const kernel = this.kernel as CellKernel;
    const t = this.table >> 2;
    if (kernel.heap32[t + SIZE] === kernel.heap32[t + ROOM] && !this.growEntries()) return false;
    // heap32 again: growing may have grown the memory (new views).
    if ((kernel.heap32[t + KEYS_USED] as number) + keyBytes > (kernel.heap32[t + KEYS_ROOM] as number) && !this.growArena(keyBytes)) return false;
    return true;
  }

  private growEntries(): boolean {
    const kernel = this.kernel as CellKernel;
    const t = this.table >> 2;
    const n = kernel.heap32[t + ROOM] as number;
    // Entries double and the table doubles: the old blocks go back to the kernel after the copy.
    const extra = n * ENTRY_BYTES + n * 2 * 4;
    if (!this.budget.take(extra)) return false;
    this.bytes += extra;
    const entries = kernel.alloc(2 * n * ENTRY_BYTES);
    const slots = kernel.alloc(4 * n * 4);
    const heap = kernel.heap32;
    const oldEntries = heap[t + ENTRIES] as number;
    const oldSlots = heap[t + SLOTS] as number;
    kernel.heap8.copyWithin(entries, oldEntries, oldEntries + n * ENTRY_BYTES);
    heap.fill(0, slots >> 2, (slots >> 2) + 4 * n);
    heap[t + SLOTS] = slots;
    heap[t + MASK] = 4 * n - 1;
    heap[t + ENTRIES] = entries;
    heap[t + ROOM] = 2 * n;
    kernel.exactRehash(this.table);
    kernel.free(oldEntries, n * ENTRY_BYTES);
    kernel.free(oldSlots, 2 * n * 4);
    return true;
  }

  private growArena(need: number): boolean {
    const kernel = this.kernel as CellKernel;
    const t = this.table >> 2;
    const room = kernel.heap32[t + KEYS_ROOM] as number;
    const used = kernel.heap32[t + KEYS_USED] as number;
    let size = room * 2;
    while (size < used + need) size *= 2;
    if (size > 0x7fffffff) return false;
    const extra = size - room;
    if (!this.budget.take(extra)) return false;
    this.bytes += extra;
    const keys = kernel.alloc(size);
    const heap = kernel.heap32;
    const old = heap[t + KEYS] as number;
    kernel.heap8.copyWithin(keys, old, old + used);
    heap[t + KEYS] = keys;
    heap[t + KEYS_ROOM] = size;
    kernel.free(old, room);
    return true;
  }

  /** Gives the memory back (after a fallback or once the report is built). */
  release(): void {
    this.budget.give(this.bytes - INITIAL_BYTES);
    this.bytes = 0;
    const kernel = this.kernel;
    if (kernel === undefined) return;
    const heap = kernel.heap32;
    const t = this.table >> 2;
    kernel.free(heap[t + SLOTS] as number, ((heap[t + MASK] as number) + 1) * 4);
    kernel.free(heap[t + ENTRIES] as number, (heap[t + ROOM] as number) * ENTRY_BYTES);
    kernel.free(heap[t + KEYS] as number, heap[t + KEYS_ROOM] as number);
    kernel.free(this.table, HEADER_BYTES);
    this.kernel = undefined;
  }

  /** Where entry e's record is, in i32 (hash, count, key offset, key length). */
  private record(entry: number): number {
    const kernel = this.kernel as CellKernel;
    return ((kernel.heap32[(this.table >> 2) + ENTRIES] as number) >> 2) + entry * 4;
  }

  /** Where entry e's key (tag, then bytes) is in the kernel's memory. */
  private key(entry: number): number {
    const kernel = this.kernel as CellKernel;
    return (kernel.heap32[(this.table >> 2) + KEYS] as number) + (kernel.heap32[this.record(entry) + 2] as number);
  }

  count(entry: number): number {
    return (this.kernel as CellKernel).heap32[this.record(entry) + 1] as number;
  }

  hash(entry: number): number {
    return (this.kernel as CellKernel).heap32[this.record(entry)] as number;
  }

  /**
   * The entry's bytes (the value as written): a view of the kernel's memory, valid until the
   * memory grows (the next batch); copy it to keep it longer.
   */
  label(entry: number): Uint8Array {
    const kernel = this.kernel as CellKernel;
    const at = this.key(entry);
    return kernel.heap8.subarray(at + 1, at + (kernel.heap32[this.record(entry) + 3] as number));
  }

  /** The entry's kind tag (KEY_TEXT, KEY_NUMBER, KEY_DATE). */
  tag(entry: number): number {
    return (this.kernel as CellKernel).heap8[this.key(entry)] as number;
  }

  /**
   * The `limit` most frequent entries, most frequent first; ties by their label's bytes (UTF-8
   * order is code-point order). One pass with a small sorted list: O(distinct · limit) at worst.
   */
  topEntries(limit: number, skipTag = -1): number[] {
    const best: number[] = [];
    const size = this.size;
    for (let e = 0; e < size; e++) {
      if (skipTag !== -1 && this.tag(e) === skipTag) continue;
      if (best.length === limit && this.before(best[limit - 1] as number, e)) continue;
      let k = best.length === limit ? limit - 1 : best.length;
      best[k] = e;
      while (k > 0 && this.before(e, best[k - 1] as number)) {
        best[k] = best[k - 1] as number;
        best[k - 1] = e;
        k--;
      }
    }
    return best;
  }

  /** Entry a is listed before entry b: higher count, then smaller label. */
  private before(a: number, b: number): boolean {
    const ca = this.count(a);
    const cb = this.count(b);
    if (ca !== cb) return ca > cb;
    const la = this.label(a);
    const lb = this.label(b);
    const n = Math.min(la.length, lb.length);
    for (let i = 0; i < n; i++) if (la[i] !== lb[i]) return (la[i] as number) < (lb[i] as number);
    return la.length < lb.length;
  }

  /** Entries in order of count, most frequent first (for seeding the fallback sketch). */
  byCount(): Int32Array {
    const size = this.size;
    const order = new Int32Array(size);
    const counts = new Int32Array(size);
    for (let e = 0; e < size; e++) {
      order[e] = e;
      counts[e] = this.count(e);
    }
    order.sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b);
    return order;
  }
}

/** Every number (or date) of a column, in a growing array; sorted once for the report. */
export class ExactNumbers {
  values = new Float64Array(256);
  length = 0;
  bytes = 256 * 8;
  private sortedFlag = false;

  constructor(private readonly budget: MemoryBudget) {}

  /**
   * Values the budget has been charged for (doubling as they arrive); `values` may be longer.
   */
  private capacity = 256;

  /** Appends n values; false (nothing appended) when they do not fit the budget. */
  addMany(src: Float64Array, n: number): boolean {
    if (this.length + n > this.capacity) {
      let size = this.capacity * 2;
      while (size < this.length + n) size *= 2;
      const extra = (size - this.capacity) * 8;
      if (!this.budget.take(extra)) return false;
      this.bytes += extra;
      this.capacity = size;
      if (size > this.values.length) this.values = grownArray(this.values, this.length, size);
    }
    this.values.set(src.subarray(0, n), this.length);
    this.length += n;
    this.sortedFlag = false;
    this.ranks = undefined;
    return true;
  }

  /**
   * Each value's rank 1..length among them (ties: their average rank), by arrival, when
   * `keepOrder` was set before sorting: the Spearman ranks of a correlation column come from its
   * own sort (build-report.ts).
   */
  ranks: RankArray | undefined;
  keepOrder = false;

  /** The values sorted ascending, in place (RadixSorter.sortRanked in radix-sort.ts; once). */
  sorted(sorter: RadixSorter = new RadixSorter()): Float64Array {
    const v = this.values.subarray(0, this.length);
    if (!this.sortedFlag) {
      if (this.keepOrder) this.ranks = rankArray(this.length);
      sorter.sortRanked(v, this.ranks);
      this.sortedFlag = true;
    }
    return v;
  }

  /**
   * Room for `count` values in all (DataProfiler.expectRows): allocated now, written as they
   * arrive; the budget is charged as they arrive, as without it. Never more than the budget.
   */
  expect(count: number): void {
    const size = Math.min(count, Math.floor(this.budget.limit / 8));
    if (size > this.values.length) this.values = sizedArray(this.values, this.length, size);
  }

  release(): void {
    this.budget.give(this.bytes - 256 * 8);
    this.bytes = 0;
  }
}
