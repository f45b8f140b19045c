/**
 * The exact side of the profile: every distinct value of a column with its true count, and every
 * number and date of a column, held while the profile's memory budget allows. Past the budget the
 * column's figure falls back to its sketch (column-profile.ts seeds the sketch from what is held
 * here), so only the figures that did not fit become estimates.
 */

import { DEFAULT_PROFILE_MEMORY_BUDGET_MB } from '../../contract';
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

/**
 * Value → count, exact: open addressing on the cell's 32-bit hash, then the key's bytes compared,
 * so two values sharing a hash are still two values. Entries are kept in arrival order: a key
 * is a tag byte (the cell's kind), then the value's bytes. ≈ 24 bytes per distinct value plus
 * its bytes.
 */
export class ExactValues {
  size = 0;
  private table: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private counts: Int32Array;
  private offsets: Int32Array;
  /** Length of the key (tag + bytes). */
  private keyLengths: Int32Array;
  private arena: Uint8Array;
  private arenaLength = 0;
  /** Bytes this object holds (reserved from the budget). */
  bytes: number;

  constructor(private readonly budget: MemoryBudget) {
    this.table = new Int32Array(INITIAL_ENTRIES * 2);
    this.mask = INITIAL_ENTRIES * 2 - 1;
    this.hashes = new Int32Array(INITIAL_ENTRIES);
    this.counts = new Int32Array(INITIAL_ENTRIES);
    this.offsets = new Int32Array(INITIAL_ENTRIES);
    this.keyLengths = new Int32Array(INITIAL_ENTRIES);
    this.arena = new Uint8Array(INITIAL_ARENA);
    this.bytes = INITIAL_ENTRIES * (2 * 4 + ENTRY_BYTES) + INITIAL_ARENA;
  }

  /**
   * Counts one value (`tag`: its kind). Returns false when the value is new and there is no room
   * for it within the budget: nothing was counted, the caller falls back to sketches.
   */
  add(hash: number, tag: number, buf: Uint8Array, start: number, end: number, count = 1): boolean {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const e = table[i] as number;
      if (e === 0) break;
      if (this.hashes[e - 1] === hash && this.matches(e - 1, tag, buf, start, end)) {
        this.counts[e - 1] = (this.counts[e - 1] as number) + count;
        return true;
      }
      i = (i + 1) & mask;
    }
    const keyBytes = 1 + end - start;
    if (this.size === this.hashes.length && !this.growEntries()) return false;
    if (this.arenaLength + keyBytes > this.arena.length && !this.growArena(keyBytes)) return false;
    const entry = this.size++;
    const arena = this.arena;
    const at = this.arenaLength;
    this.offsets[entry] = at;
    arena[at] = tag;
    arena.set(buf.subarray(start, end), at + 1);
    this.keyLengths[entry] = keyBytes;
    this.arenaLength = at + keyBytes;
    this.hashes[entry] = hash;
    this.counts[entry] = count;
    // The table was sized for the entries; find the free slot again if it was rebuilt.
    if (this.table !== table) {
      i = hash & this.mask;
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
    }
    this.table[i] = entry + 1;
    return true;
  }

  private matches(entry: number, tag: number, buf: Uint8Array, start: number, end: number): boolean {
    const arena = this.arena;
    const at = this.offsets[entry] as number;
    if (arena[at] !== tag) return false;
    if ((this.keyLengths[entry] as number) !== 1 + end - start) return false;
    for (let k = start, j = at + 1; k < end; k++, j++) if (arena[j] !== buf[k]) return false;
    return true;
  }

  private growEntries(): boolean {
    const n = this.hashes.length;
    // Entries double (4 arrays) and the table doubles: the old arrays are freed after the copy.
    const extra = n * ENTRY_BYTES + n * 2 * 4;
    if (!this.budget.take(extra)) return false;
    this.bytes += extra;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n * 2);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes);
    this.counts = grow(this.counts);
    this.offsets = grow(this.offsets);
    this.keyLengths = grow(this.keyLengths);
    const size = n * 4;
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.size; e++) {
      let i = (this.hashes[e] as number) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = e + 1;
    }
    this.table = table;
    this.mask = mask;
    return true;
  }

  private growArena(need: number): boolean {
    let size = this.arena.length * 2;
    while (size < this.arenaLength + need) size *= 2;
    if (size > 0x7fffffff) return false;
    const extra = size - this.arena.length;
    if (!this.budget.take(extra)) return false;
    this.bytes += extra;
    const grown = new Uint8Array(size);
    grown.set(this.arena.subarray(0, this.arenaLength));
    this.arena = grown;
    return true;
  }

  /** Gives the memory back (after a fallback or once the report is built). */
  release(): void {
    this.budget.give(this.bytes - (INITIAL_ENTRIES * (2 * 4 + ENTRY_BYTES) + INITIAL_ARENA));
    this.bytes = 0;
  }

  count(entry: number): number {
    return this.counts[entry] as number;
  }

  hash(entry: number): number {
    return this.hashes[entry] as number;
  }

  /** The entry's bytes (the value as written). */
  label(entry: number): Uint8Array {
    const at = this.offsets[entry] as number;
    return this.arena.subarray(at + 1, at + (this.keyLengths[entry] as number));
  }

  /** The entry's kind tag (KEY_TEXT, KEY_NUMBER, KEY_DATE). */
  tag(entry: number): number {
    return this.arena[this.offsets[entry] as number] as number;
  }

  /**
   * The `limit` most frequent entries, most frequent first; ties by their label's bytes (UTF-8
   * order is code-point order). One pass with a small sorted list: O(distinct · limit) at worst.
   */
  topEntries(limit: number, skipTag = -1): number[] {
    const best: number[] = [];
    for (let e = 0; e < this.size; e++) {
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
    const ca = this.counts[a] as number;
    const cb = this.counts[b] as number;
    if (ca !== cb) return ca > cb;
    const la = this.label(a);
    const lb = this.label(b);
    const n = Math.min(la.length, lb.length);
    for (let i = 0; i < n; i++) if (la[i] !== lb[i]) return (la[i] as number) < (lb[i] as number);
    return la.length < lb.length;
  }

  /** Entries in order of count, most frequent first (for seeding the fallback sketch). */
  byCount(): Int32Array {
    const order = new Int32Array(this.size);
    for (let e = 0; e < this.size; e++) order[e] = e;
    const counts = this.counts;
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
