/**
 * KLL quantile sketch (Karnin, Lang, Liberty 2016), in the lazy-compaction form of Liberty's
 * reference implementation. Level h holds items of weight 2^h; when the sketch is full the
 * lowest over-capacity level is sorted and every other item (random offset) is promoted.
 * Memory is O(k) whatever the stream length; with k = 400 the normalised rank error stays well
 * under 1 % (DataSketches quotes ~0.8 % at 99 % confidence for k = 400). Exact up to 10·k
 * items (4,000 at k = 400).
 * Mergeable: concatenating levels and compacting gives a sketch of the union.
 *
 * Speed: sorting is the cost of a compaction, so the lowest levels are replaced by a sampler,
 * as the KLL paper allows: past SAMPLER_START items, each block of 2^s items (s grows with n)
 * contributes one item, chosen uniformly, of weight 2^s to level s. That adds a rank error of
 * at most sqrt(2^s / 4n) <= 1 / (2 sqrt(SAMPLER_START)) ≈ 0.28 % (one standard deviation) and
 * divides the work by 2^s.
 *
 * Sampled items wait in a small buffer and enter their level PENDING at a time: sorted together
 * and merged into the level, which therefore stays sorted and compacts without a sort. The
 * buffer fills at fixed points of the stream (every PENDING-th sampled item, and before the
 * sampler moves up a level), so the sketch depends only on the values and their order, never
 * on how they were split into `updateMany` calls. Each level is a Float64Array with its own
 * length, so a compaction moves numbers without reallocating arrays.
 */
const CAPACITY_DECAY = 2 / 3;
/** DataSketches' minimum level width: tiny levels would compact (and sort) too often. */
const MIN_WIDTH = 32;
const SAMPLER_START = 1 << 15;
/** Up to EXACT_FACTOR · k items nothing is compacted, so quantiles of small columns are exact. */
const EXACT_FACTOR = 10;

/** Sampled items buffered before they enter their level (see above). */
const PENDING = 128;

/** Ranges up to this many items are sorted by insertion. */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts items[0..n) in place (ascending; values are finite). A quicksort written here: the
 * built-in typed-array sort calls a comparison function per compare and was the largest cost
 * of the sketch at the start of a column, when every value is sampled.
 */
function sortLevel(items: Float64Array, n: number): void {
  quicksort(items, 0, n - 1);
}

function quicksort(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo >= INSERTION_SORT_MAX) {
    // Median of three as the pivot; recurse into the smaller side, loop on the larger.
    const mid = (lo + hi) >> 1;
    let x = a[lo] as number;
    let y = a[mid] as number;
    let z = a[hi] as number;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    a[lo] = x;
    a[mid] = y;
    a[hi] = z;
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i] as number;
    let j = i - 1;
    while (j >= lo && (a[j] as number) > v) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Copy of a level while it is merged into itself. */
let merged = new Float64Array(1024);

/**
 * Merges sorted[from], sorted[from + step], … below `end` (ascending) into the sorted first
 * `kept` items of `level` (which has room for them all); returns the new length.
 */
function mergeSorted(level: Float64Array, kept: number, sorted: Float64Array, from: number, end: number, step: number): number {
  if (merged.length < kept) merged = new Float64Array(kept * 2);
  merged.set(level.subarray(0, kept), 0);
  let a = 0;
  let b = from;
  let out = 0;
  while (a < kept && b < end) {
    const x = merged[a] as number;
    const y = sorted[b] as number;
    if (x <= y) {
      level[out++] = x;
      a++;
    } else {
      level[out++] = y;
      b += step;
    }
  }
  while (a < kept) level[out++] = merged[a++] as number;
  for (; b < end; b += step) level[out++] = sorted[b] as number;
  return out;
}

export class KllSketch {
  readonly k: number;
  /** Level h holds lengths[h] items of weight 2^h, in levels[h][0..lengths[h]). */
  private levels: Float64Array[] = [];
  private lengths: number[] = [];
  /**
   * Whether each level is in sorted order. Pending items are merged in sorted and promoted items
   * arrive sorted, so levels stay sorted; only levels after a `merge` need a sort when they compact.
   */
  private sortedLevels: boolean[] = [];
  /** Items held in the levels (the pending buffer not included). */
  private size = 0;
  private maxSize = 0;
  private total = 0;
  private seed: number;
  private readonly pending = new Float64Array(PENDING);
  private pendingCount = 0;
  /** Sampler: items of weight 2^samplerLevel = blockSize, one per block, at blockPick. */
  private samplerLevel = 0;
  private blockSize = 1;
  private blockPick = 0;
  /** Items until the next pick (inclusive): the common case is one decrement and a compare. */
  private skip = 1;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  private readonly exactLimit: number;

  constructor(k = 400, seed = 0x9e3779b9) {
    if (!Number.isInteger(k) || k < 8) throw new RangeError(`KLL k must be an integer >= 8, got ${k}`);
    this.k = k;
    this.exactLimit = EXACT_FACTOR * k;
    this.seed = seed | 0 || 1;
    this.grow();
    // Written once more here so that V8 treats them as mutable from the start: their first
    // change mid-run would otherwise deoptimise the code that inlined them as constants.
    this.samplerLevel = 0;
    this.blockSize = 1;
  }

  get count(): number {
    return this.total;
  }

  /** No compaction has happened yet: every item is held and quantiles are exact. */
  get exact(): boolean {
    this.flushPending();
    return this.levels.length === 1;
  }

  /** Items retained (memory is proportional to this). */
  get retained(): number {
    return this.size + this.pendingCount;
  }

  update(x: number): void {
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.total++;
    if (--this.skip === 0) this.take(x);
  }

  /** `update` for each of values[0..count), in order; jumps straight to the sampled ones. */
  updateMany(values: Float64Array, count: number): void {
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < count; i++) {
      const x = values[i] as number;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.min = min;
    this.max = max;
    let i = 0;
    while (count - i >= this.skip) {
      i += this.skip;
      this.total += this.skip;
      this.take(values[i - 1] as number);
    }
    this.total += count - i;
    this.skip -= count - i;
  }

  /** Keeps a sampled item (`total` already counts it) and picks the next one. */
  private take(x: number): void {
    this.pending[this.pendingCount++] = x;
    if (this.pendingCount === PENDING) this.flushPending();
    // Next pick: the rest of this block, then a uniform position in the next block, which
    // doubles once the stream has doubled since the last raise (always at a block boundary).
    const rest = this.blockSize - this.blockPick;
    if (this.total + rest - 1 >= (this.blockSize === 1 ? SAMPLER_START : this.blockSize * SAMPLER_START)) {
      // The items sampled so far belong to the level below the raise.
      this.flushPending();
      this.samplerLevel++;
      this.blockSize *= 2;
      while (this.levels.length <= this.samplerLevel) this.grow();
    }
    this.blockPick = this.blockSize === 1 ? 0 : this.nextInt(this.blockSize);
    this.skip = rest + this.blockPick;
  }

  /** Sorts the pending items into the sampler's level, then compacts while the sketch is full. */
  private flushPending(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    this.pendingCount = 0;
    const items = this.pending;
    sortLevel(items, n);
    const h = this.samplerLevel;
    const length = this.lengths[h] as number;
    const level = this.room(h, length + n);
    if (length > 0 && this.sortedLevels[h] === true) {
      this.lengths[h] = mergeSorted(level, length, items, 0, n, 1);
    } else {
      if (length === 0) this.sortedLevels[h] = true;
      level.set(items.subarray(0, n), length);
      this.lengths[h] = length + n;
    }
    this.size += n;
    while (this.size >= this.maxSize && (this.levels.length > 1 || this.size >= this.exactLimit)) this.compress();
  }

  /** Level h, with room for at least `needed` items (grown by doubling, contents kept). */
  private room(h: number, needed: number): Float64Array {
    const level = this.levels[h] as Float64Array;
    if (needed <= level.length) return level;
    let size = level.length * 2;
    while (size < needed) size *= 2;
    const grown = new Float64Array(size);
    grown.set(level.subarray(0, this.lengths[h] as number), 0);
    this.levels[h] = grown;
    return grown;
  }

  /**
   * Adds another sketch's items. Items of a partly filled sampler block are not in any level yet
   * (at most 2^s − 1 of them, within the error budget), so counts add but ranks use the levels.
   */
  merge(other: KllSketch): void {
    this.flushPending();
    other.flushPending();
    while (this.levels.length < other.levels.length) this.grow();
    for (let h = 0; h < other.levels.length; h++) {
      const add = other.lengths[h] as number;
      if (add === 0) continue;
      const length = this.lengths[h] as number;
      this.room(h, length + add).set((other.levels[h] as Float64Array).subarray(0, add), length);
      this.lengths[h] = length + add;
      this.sortedLevels[h] = false;
    }
    this.total += other.total;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.size = this.lengths.reduce((sum, n) => sum + n, 0);
    while (this.size >= this.maxSize) this.compress();
  }

  /** Retained items with their weights, sorted by value. */
  weightedItems(): { values: Float64Array; weights: Float64Array } {
    this.flushPending();
    const pairs: Array<[number, number]> = [];
    this.levels.forEach((level, h) => {
      const w = 2 ** h;
      for (let i = 0; i < (this.lengths[h] as number); i++) pairs.push([level[i] as number, w]);
    });
    pairs.sort((a, b) => a[0] - b[0]);
    const values = new Float64Array(pairs.length);
    const weights = new Float64Array(pairs.length);
    pairs.forEach(([x, w], i) => {
      values[i] = x;
      weights[i] = w;
    });
    return { values, weights };
  }

  /** Estimated q-quantile (0 <= q <= 1); the exact min and max at the ends. */
  quantile(q: number): number {
    return this.quantiles([q])[0] as number;
  }

  quantiles(qs: readonly number[]): number[] {
    if (this.total === 0) return qs.map(() => Number.NaN);
    const { values, weights } = this.weightedItems();
    let weightTotal = 0;
    for (const w of weights) weightTotal += w;
    return qs.map((q) => {
      if (q <= 0) return this.min;
      if (q >= 1) return this.max;
      const target = q * weightTotal;
      let cumulative = 0;
      for (let i = 0; i < values.length; i++) {
        cumulative += weights[i] as number;
        if (cumulative >= target) return values[i] as number;
      }
      return this.max;
    });
  }

  /** Capacity of each level for the current depth (recomputed when the sketch grows). */
  private capacities: number[] = [];

  private capacity(h: number): number {
    return this.capacities[h] ?? this.computeCapacity(h);
  }

  private computeCapacity(h: number): number {
    const depth = this.levels.length;
    return Math.max(Math.min(MIN_WIDTH, this.k >> 2), Math.ceil(this.k * CAPACITY_DECAY ** (depth - h - 1))) + 1;
  }

  private grow(): void {
    const h = this.levels.length;
    this.levels.push(new Float64Array(h === 0 ? 64 : 2 * Math.min(this.k, 64 << h)));
    this.lengths.push(0);
    this.sortedLevels.push(true);
    this.capacities = this.levels.map((_, i) => this.computeCapacity(i));
    this.maxSize = this.capacities.reduce((a, b) => a + b, 0);
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const length = this.lengths[h] as number;
      if (length < this.capacity(h)) continue;
      if (h + 1 >= this.levels.length) this.grow();
      const level = this.levels[h] as Float64Array;
      if (this.sortedLevels[h] !== true) sortLevel(level, length);
      // An odd item out (the smallest) stays at this level, so promoted weight always equals removed weight.
      const keepOdd = length % 2 === 1;
      const from = (keepOdd ? 1 : 0) + this.nextBit();
      const promoted = (length - from + 1) >> 1;
      const nextLength = this.lengths[h + 1] as number;
      const next = this.room(h + 1, nextLength + promoted);
      if (this.sortedLevels[h + 1] === true && nextLength > 0) {
        this.lengths[h + 1] = mergeSorted(next, nextLength, level, from, length, 2);
      } else {
        for (let i = from; i < length; i += 2) next[nextLength + ((i - from) >> 1)] = level[i] as number;
        this.lengths[h + 1] = nextLength + promoted;
      }
      this.size -= length - (keepOdd ? 1 : 0);
      this.size += promoted;
      this.lengths[h] = keepOdd ? 1 : 0;
      this.sortedLevels[h] = true;
      // Lazy: one compaction per call keeps the lower levels as full as possible (better accuracy).
      return;
    }
  }

  /** xorshift32: deterministic, so the same file always yields the same report. */
  private nextRandom(): number {
    let s = this.seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.seed = s;
    return s >>> 0;
  }

  private nextBit(): number {
    return this.nextRandom() >>> 31;
  }

  /** Uniform integer in [0, n) for n a power of two <= 2^31. */
  private nextInt(n: number): number {
    // `| 0`: a small integer, so V8 keeps the fields it lands in as small integers. A double
    // stored there mid-run changes the object's shape and deoptimises the hot path.
    return (this.nextRandom() % n) | 0;
  }
}
