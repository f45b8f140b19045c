/**
 * Duplicate-row counting in fixed memory by adaptive hash sampling (Gibbons' distinct sampling):
 * rows whose hash falls below a threshold are counted exactly in a table; when the table fills,
 * the threshold halves and rows above it are dropped. Identical rows share a hash, so they are
 * all sampled or none are, and the duplicate count scales up by the sampling rate. While the
 * threshold has never halved (up to `capacity` distinct rows) the count is exact up to hash
 * collisions (two independent 32-bit hashes per row, so effectively 53 bits).
 *
 * With a memory budget the rows are first only listed: each row's 53-bit key is appended to an
 * array (8 bytes a row), and the count comes from sorting it once at the end (RadixSorter.repeats),
 * which reads memory in order where the table's lookups each miss the cache (most of the
 * duplicate counter's time on millions of rows). When the list no longer fits the budget it is
 * entered, in arrival order, into the table, which goes on as above.
 */
import { type MemoryBudget, grownArray, sizedArray } from './exact-values';
import { ROW_KEY_LOWER, ROW_KEY_MASK, RadixSorter } from './radix-sort';

const FIRST_LIST = 4096;
const EMPTY = new Float64Array(0);

const TWO_32 = 4294967296;

export class RowDuplicates {
  private capacity: number;
  private tableSize: number;
  /** Open addressing, key and count side by side (one cache miss per lookup in a 4 MB table); key 0 = empty. */
  private slots: Float64Array;
  /** Scratch for one cluster's surviving entries while the threshold is lowered. */
  private survivors: Float64Array = new Float64Array(256);
  private size = 0;
  /** Sampled rows not yet entered: h1, h2 pairs. */
  private readonly pending = new Int32Array(2 * 256);
  private pendingCount = 0;
  /** Rows are sampled when their first hash (as unsigned) is below this. */
  private threshold = TWO_32;
  rows = 0;
  /** Every row's key in arrival order while the list fits the budget; null once the table counts. */
  private list: Float64Array | null = null;
  private listed = 0;
  /** Rows the budget has been charged for (doubling as they arrive); the list may be longer (grownArray, exact-values.ts). */
  private listCapacity = FIRST_LIST;
  /** The duplicates among the first `countedAt` listed rows (the list sorted once for the report). */
  private counted = 0;
  private countedAt = -1;

  /**
   * `budget`: while it allows, the table doubles instead of sampling, so the count stays exact
   * (up to 53-bit hash collisions) for as many distinct rows as fit.
   */
  constructor(
    capacity = 1 << 17,
    private readonly budget?: MemoryBudget,
  ) {
    this.capacity = capacity;
    this.tableSize = 1;
    while (this.tableSize < capacity * 2) this.tableSize *= 2;
    if (budget !== undefined && budget.limit > 0) {
      this.list = new Float64Array(FIRST_LIST);
      this.slots = EMPTY;
    } else this.slots = new Float64Array(this.tableSize * 2);
  }

  /** Counts a batch of rows by their two hashes (h2 matters only for the rows sampled). */
  addRows(h1s: Int32Array, h2s: Int32Array, rows: number): void {
    const list = this.list;
    if (list !== null && this.listed + rows <= this.listCapacity) {
      let at = this.listed;
      for (let r = 0; r < rows; r++) list[at++] = ((h1s[r] as number) >>> 0) * ROW_KEY_LOWER + ((h2s[r] as number) & ROW_KEY_MASK);
      this.listed = at;
      this.rows += rows;
      return;
    }
    for (let r = 0; r < rows; r++) {
      const h1 = h1s[r] as number;
      if (this.samples(h1)) this.add(h1, h2s[r] as number);
      else this.skip();
    }
  }

  /** Whether a row with first hash h1 is sampled (if not, `skip` counts it; its h2 is not needed). */
  samples(h1: number): boolean {
    return h1 >>> 0 < this.threshold;
  }

  /** Counts a row that is not sampled. */
  skip(): void {
    this.rows++;
  }

  add(h1: number, h2: number): void {
    this.rows++;
    if (this.list !== null) {
      if (this.listed === this.listCapacity && !this.growList()) this.enterList();
      else {
        (this.list as Float64Array)[this.listed++] = (h1 >>> 0) * ROW_KEY_LOWER + (h2 & ROW_KEY_MASK);
        return;
      }
    }
    if (h1 >>> 0 >= this.threshold) return;
    const pending = this.pending;
    pending[this.pendingCount++] = h1;
    pending[this.pendingCount++] = h2;
    if (this.pendingCount === pending.length) this.flush();
  }

  /**
   * Enters the buffered rows, in arrival order (so the result is the same as entering each at
   * once; rows the threshold has dropped since are skipped here). Batched because the table is
   * far larger than the cache: a tight loop of independent lookups overlaps the misses.
   */
  private flush(): void {
    const pending = this.pending;
    const n = this.pendingCount;
    this.pendingCount = 0;
    for (let j = 0; j < n; j += 2) this.enter(pending[j] as number, pending[j + 1] as number);
  }

  /** About `rows` rows in all (DataProfiler.expectRows): the list takes room for them now. */
  expectRows(rows: number): void {
    const list = this.list;
    if (list === null || this.budget === undefined) return;
    const size = Math.min(rows, Math.floor(this.budget.limit / 8));
    if (size > list.length) this.list = sizedArray(list, this.listed, size);
  }

  /** Doubles the list within the budget; false when it does not fit. */
  private growList(): boolean {
    if (this.budget === undefined || !this.budget.take(this.listCapacity * 8)) return false;
    this.listCapacity *= 2;
    const list = this.list as Float64Array;
    if (list.length < this.listCapacity) this.list = grownArray(list, this.listed, this.listCapacity);
    return true;
  }

  /** The list no longer fits: its rows enter the table in arrival order, and the table counts from now on. */
  private enterList(): void {
    const list = this.list as Float64Array;
    const listed = this.listed;
    this.list = null;
    this.listed = 0;
    this.budget?.give(this.listCapacity * 8 - FIRST_LIST * 8);
    this.slots = new Float64Array(this.tableSize * 2);
    for (let k = 0; k < listed; k++) {
      const key = list[k] as number;
      this.enter(Math.floor(key / ROW_KEY_LOWER) | 0, key % ROW_KEY_LOWER);
    }
  }

  private enter(h1: number, h2: number): void {
    const u = h1 >>> 0;
    if (u >= this.threshold) return;
    // 32 + 21 bits fit exactly in a double; +1 keeps 0 free to mark an empty slot.
    const key = u * ROW_KEY_LOWER + (h2 & ROW_KEY_MASK) + 1;
    const mask = this.tableSize - 1;
    let i = ((h2 & ROW_KEY_MASK) ^ h1) & mask;
    const slots = this.slots;
    for (;;) {
      const k = slots[2 * i] as number;
      if (k === key) {
        slots[2 * i + 1] = (slots[2 * i + 1] as number) + 1;
        return;
      }
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    slots[2 * i] = key;
    slots[2 * i + 1] = 1;
    if (++this.size > this.capacity && !this.grow()) this.halve();
  }

  /** Doubles the table while the budget allows and nothing was sampled away yet. */
  private grow(): boolean {
    if (this.threshold !== TWO_32 || this.budget === undefined || !this.budget.take(this.tableSize * 16)) return false;
    const old = this.slots;
    const oldSize = this.tableSize;
    this.tableSize *= 2;
    this.capacity *= 2;
    this.slots = new Float64Array(this.tableSize * 2);
    const mask = this.tableSize - 1;
    const slots = this.slots;
    for (let j = 0; j < oldSize; j++) {
      const key = old[2 * j] as number;
      if (key === 0) continue;
      const u = Math.floor((key - 1) / ROW_KEY_LOWER);
      const low = (key - 1) % ROW_KEY_LOWER;
      let at = ((low ^ u) | 0) & mask;
      while (slots[2 * at] !== 0) at = (at + 1) & mask;
      slots[2 * at] = key;
      slots[2 * at + 1] = old[2 * j + 1] as number;
    }
    return true;
  }

  get exact(): boolean {
    if (this.list !== null) return true;
    this.flush();
    return this.threshold === TWO_32;
  }

  /** Rows that repeat an earlier row (a row seen 3 times counts 2). */
  get duplicates(): number {
    return this.count();
  }

  /** The duplicates; `sorter` lends its scratch arrays to the list's sort (build-report.ts). */
  count(sorter: RadixSorter = new RadixSorter()): number {
    if (this.list !== null) {
      if (this.countedAt !== this.listed) {
        this.counted = sorter.repeats(this.list.subarray(0, this.listed));
        this.countedAt = this.listed;
      }
      return this.counted;
    }
    this.flush();
    let sampledRows = 0;
    for (let i = 0; i < this.tableSize; i++) sampledRows += this.slots[2 * i + 1] as number;
    const sampledDuplicates = sampledRows - this.size;
    return Math.round(sampledDuplicates * (TWO_32 / this.threshold));
  }

  private halve(): void {
    while (this.size > this.capacity) {
      this.threshold /= 2;
      this.dropAboveThreshold();
    }
  }

  /**
   * Removes the rows the lowered threshold no longer samples, in place, cluster by cluster. In
   * linear probing every entry's home slot lies within its cluster (the run of occupied slots
   * around it), so each cluster is emptied and its survivors re-entered in order: they land at
   * or before their old slots, inside the same run. One sequential sweep over the table, where a
   * rehash into a second table wrote to random places in 4 MB.
   */
  private dropAboveThreshold(): void {
    const slots = this.slots;
    const mask = this.tableSize - 1;
    const limit = this.threshold * ROW_KEY_LOWER;
    let survivors = this.survivors;
    // Start just after an empty slot (the table is at most half full), at a cluster boundary.
    let i = 0;
    while (slots[2 * i] !== 0) i++;
    i = (i + 1) & mask;
    let size = 0;
    for (let visited = 0; visited < this.tableSize; ) {
      if (slots[2 * i] === 0) {
        i = (i + 1) & mask;
        visited++;
        continue;
      }
      let kept = 0;
      let j = i;
      while (slots[2 * j] !== 0) {
        const key = slots[2 * j] as number;
        if (key - 1 < limit) {
          if (survivors.length < 2 * kept + 2) survivors = this.survivors = growFloats(survivors);
          survivors[2 * kept] = key;
          survivors[2 * kept + 1] = slots[2 * j + 1] as number;
          kept++;
        }
        slots[2 * j] = 0;
        slots[2 * j + 1] = 0;
        j = (j + 1) & mask;
        visited++;
      }
      for (let k = 0; k < kept; k++) {
        const key = survivors[2 * k] as number;
        const u = Math.floor((key - 1) / ROW_KEY_LOWER);
        const low = (key - 1) % ROW_KEY_LOWER;
        let at = ((low ^ u) | 0) & mask;
        while (slots[2 * at] !== 0) at = (at + 1) & mask;
        slots[2 * at] = key;
        slots[2 * at + 1] = survivors[2 * k + 1] as number;
      }
      size += kept;
      i = j;
    }
    this.size = size;
  }
}

function growFloats(values: Float64Array): Float64Array {
  const grown = new Float64Array(values.length * 2);
  grown.set(values, 0);
  return grown;
}
