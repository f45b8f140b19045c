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
 */
const CAPACITY_DECAY = 2 / 3;
/** DataSketches' minimum level width: tiny levels would compact (and sort) too often. */
const MIN_WIDTH = 32;
const SAMPLER_START = 1 << 15;
/** Up to EXACT_FACTOR · k items nothing is compacted, so quantiles of small columns are exact. */
const EXACT_FACTOR = 10;

/** Levels up to this many items are sorted by insertion, in place. */
const INSERTION_SORT_MAX = 64;

function sortInPlace(items: number[]): number[] {
  for (let i = 1; i < items.length; i++) {
    const x = items[i] as number;
    let j = i - 1;
    while (j >= 0 && (items[j] as number) > x) {
      items[j + 1] = items[j] as number;
      j--;
    }
    items[j + 1] = x;
  }
  return items;
}

/** Scratch space for sorting a level: one buffer reused rather than a typed array per compaction. */
let scratch = new Float64Array(1024);

function sortedCopy(level: number[]): Float64Array {
  if (scratch.length < level.length) scratch = new Float64Array(level.length * 2);
  for (let i = 0; i < level.length; i++) scratch[i] = level[i] as number;
  return scratch.subarray(0, level.length).sort();
}

/** Merges sorted[from], sorted[from + 2], … (ascending) into the sorted `level`, in place. */
function mergePromoted(level: number[], sorted: ArrayLike<number>, from: number): void {
  const kept = level.length;
  const promoted = (sorted.length - from + 1) >> 1;
  if (merged.length < kept) merged = new Float64Array(kept * 2);
  for (let i = 0; i < kept; i++) merged[i] = level[i] as number;
  // Grown by pushing (not by setting length), so the array stays packed doubles.
  for (let i = 0; i < promoted; i++) level.push(0);
  let a = 0;
  let b = from;
  let out = 0;
  while (a < kept && b < sorted.length) {
    const x = merged[a] as number;
    const y = sorted[b] as number;
    if (x <= y) {
      level[out++] = x;
      a++;
    } else {
      level[out++] = y;
      b += 2;
    }
  }
  while (a < kept) level[out++] = merged[a++] as number;
  for (; b < sorted.length; b += 2) level[out++] = sorted[b] as number;
}

let merged = new Float64Array(1024);

export class KllSketch {
  readonly k: number;
  private levels: number[][] = [[]];
  /**
   * Whether each level is in sorted order. Promoted items arrive sorted, so a level fed only by
   * compactions below stays sorted (merged, not re-sorted); only the level the sampler feeds,
   * and levels after a `merge`, need a sort when they compact.
   */
  private sortedLevels: boolean[] = [true];
  private size = 0;
  private maxSize = 0;
  private total = 0;
  private seed: number;
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
    this.capacities = [this.computeCapacity(0)];
    this.maxSize = this.capacity(0);
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
    return this.levels.length === 1;
  }

  /** Items retained (memory is proportional to this). */
  get retained(): number {
    return this.size;
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
    (this.levels[this.samplerLevel] as number[]).push(x);
    this.sortedLevels[this.samplerLevel] = false;
    if (++this.size >= this.maxSize && (this.levels.length > 1 || this.size >= this.exactLimit)) this.compress();
    // Next pick: the rest of this block, then a uniform position in the next block, which
    // doubles once the stream has doubled since the last raise (always at a block boundary).
    const rest = this.blockSize - this.blockPick;
    if (this.total + rest - 1 >= (this.blockSize === 1 ? SAMPLER_START : this.blockSize * SAMPLER_START)) {
      this.samplerLevel++;
      this.blockSize *= 2;
      while (this.levels.length <= this.samplerLevel) this.grow();
    }
    this.blockPick = this.blockSize === 1 ? 0 : this.nextInt(this.blockSize);
    this.skip = rest + this.blockPick;
  }

  /**
   * Adds another sketch's items. Items of a partly filled sampler block are not in any level yet
   * (at most 2^s − 1 of them, within the error budget), so counts add but ranks use the levels.
   */
  merge(other: KllSketch): void {
    while (this.levels.length < other.levels.length) this.grow();
    for (let h = 0; h < other.levels.length; h++) {
      const mine = this.levels[h] as number[];
      for (const x of other.levels[h] as number[]) mine.push(x);
      this.sortedLevels[h] = false;
    }
    this.total += other.total;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.size = this.levels.reduce((sum, level) => sum + level.length, 0);
    while (this.size >= this.maxSize) this.compress();
  }

  /** Retained items with their weights, sorted by value. */
  weightedItems(): { values: Float64Array; weights: Float64Array } {
    const pairs: Array<[number, number]> = [];
    this.levels.forEach((level, h) => {
      const w = 2 ** h;
      for (const x of level) pairs.push([x, w]);
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

  /** Estimated fraction of the stream that is <= x (the CDF). */
  rank(x: number): number {
    if (this.total === 0) return Number.NaN;
    let below = 0;
    let weight = 0;
    this.levels.forEach((level, h) => {
      const w = 2 ** h;
      weight += w * level.length;
      for (const y of level) if (y <= x) below += w;
    });
    return below / weight;
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
    this.levels.push([]);
    this.sortedLevels.push(true);
    this.capacities = this.levels.map((_, h) => this.computeCapacity(h));
    this.maxSize = this.capacities.reduce((a, b) => a + b, 0);
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h] as number[];
      if (level.length < this.capacity(h)) continue;
      if (h + 1 >= this.levels.length) this.grow();
      // The lowest levels hold a few dozen items and compact most often: sorting them in place
      // avoids allocating a typed array (with an off-heap backing store) per compaction.
      const sorted = this.sortedLevels[h] === true ? level : level.length <= INSERTION_SORT_MAX ? sortInPlace(level) : sortedCopy(level);
      // An odd item out stays at this level, so promoted weight always equals removed weight.
      const keepOdd = sorted.length % 2 === 1;
      const start = keepOdd ? 1 : 0;
      const offset = this.nextBit();
      const next = this.levels[h + 1] as number[];
      if (this.sortedLevels[h + 1] === true && next.length > 0) mergePromoted(next, sorted, start + offset);
      else for (let i = start + offset; i < sorted.length; i += 2) next.push(sorted[i] as number);
      this.size -= level.length - (keepOdd ? 1 : 0);
      this.size += (sorted.length - start - offset + 1) >> 1;
      const first = sorted[0] as number;
      level.length = 0;
      if (keepOdd) level.push(first);
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
