/**
 * Sorting the exact path's numbers and dates: an LSD radix sort of the values' 64 bits, in six
 * passes of 11, 11 and 10 bits per 32-bit half. A pass is skipped when every value has the
 * same digit there (integers and dates leave most low bits zero), and the low halves are not
 * moved at all when they are all the same. It puts the values in exactly the order of
 * `Float64Array.prototype.sort` (−0 before 0, NaN last), and can also give each sorted value's
 * original position, from which the Spearman ranks follow in one pass. V8's typed-array sort
 * (a comparison sort) and the ranks' own sort of row indices were most of an exact profile's
 * time on millions of rows (docs/processor.md, "Speed and memory").
 */

const DIGITS = 6;
const RADIX = 2048;
const SHIFTS = [0, 11, 22, 0, 11, 22] as const;
const MASKS = [0x7ff, 0x7ff, 0x3ff, 0x7ff, 0x7ff, 0x3ff] as const;
/**
 * A duplicate-row key (row-duplicates.ts) is its first hash × ROW_KEY_LOWER + the low 21 bits of
 * its second (ROW_KEY_MASK): 53 bits, exact in a double.
 */
export const ROW_KEY_LOWER = 2097152;
export const ROW_KEY_MASK = ROW_KEY_LOWER - 1;
/** × this drops a key's lower 21 bits exactly (as ÷ ROW_KEY_LOWER would). */
const LOWER_SCALE = 1 / ROW_KEY_LOWER;
/** Keys at most in a run of `repeats` compared pairwise; a longer run is sorted. */
const SMALL_RUN = 16;

/**
 * Sorts with reusable scratch arrays (≈ 24 bytes per value, held until the sorter is dropped):
 * one sorter per report, so the columns' sorts share them.
 */
export class RadixSorter {
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  private hi2 = new Uint32Array(0);
  private lo2 = new Uint32Array(0);
  private index = new Uint32Array(0);
  private index2 = new Uint32Array(0);
  private readonly counts = new Uint32Array(DIGITS * RADIX);

  private reserve(n: number, withOrder: boolean, withLo = true): void {
    if (this.hi.length < n) {
      this.hi = new Uint32Array(n);
      this.hi2 = new Uint32Array(n);
    }
    if (withLo && this.lo.length < n) {
      this.lo = new Uint32Array(n);
      this.lo2 = new Uint32Array(n);
    }
    if (withOrder && this.index.length < n) {
      this.index = new Uint32Array(n);
      this.index2 = new Uint32Array(n);
    }
  }

  /**
   * How many of the keys (integers in [0, 2^53), row-duplicates.ts's row keys) equal an earlier
   * one. The keys are sorted by the top 22 of their upper 32 bits (two passes of 11, each key's
   * two halves carried along), then each run that shares those bits (one key on average for a
   * million keys, as the keys are hashes) is checked for keys equal in full: two passes of two
   * arrays, where sorting the whole keys takes six.
   */
  repeats(keys: Float64Array): number {
    const n = keys.length;
    if (n < 2) return 0;
    this.reserve(n, true, false);
    let upper = this.hi;
    let upper2 = this.hi2;
    let lower = this.index;
    let lower2 = this.index2;
    const counts = this.counts;
    counts.fill(0, 0, 2 * RADIX);
    for (let i = 0; i < n; i++) {
      const key = keys[i] as number;
      // × 2^−21 is exact, as ÷ 2^21 would be.
      const u = Math.floor(key * LOWER_SCALE) >>> 0;
      upper[i] = u;
      lower[i] = key - u * ROW_KEY_LOWER;
      counts[(u >>> 10) & 0x7ff] = (counts[(u >>> 10) & 0x7ff] as number) + 1;
      counts[RADIX + (u >>> 21)] = (counts[RADIX + (u >>> 21)] as number) + 1;
    }
    for (let d = 0; d < 2; d++) {
      const base = d * RADIX;
      let sum = 0;
      for (let k = base; k < base + RADIX; k++) {
        const c = counts[k] as number;
        counts[k] = sum;
        sum += c;
      }
      const shift = d === 0 ? 10 : 21;
      for (let i = 0; i < n; i++) {
        const u = upper[i] as number;
        const at = base + ((u >>> shift) & 0x7ff);
        const to = counts[at] as number;
        counts[at] = to + 1;
        upper2[to] = u;
        lower2[to] = lower[i] as number;
      }
      let t = upper;
      upper = upper2;
      upper2 = t;
      t = lower;
      lower = lower2;
      lower2 = t;
    }
    let repeats = 0;
    for (let i = 0; i < n; ) {
      const top = (upper[i] as number) >>> 10;
      let j = i + 1;
      while (j < n && (upper[j] as number) >>> 10 === top) j++;
      if (j - i <= SMALL_RUN) {
        // Each key against the ones before it in the run.
        for (let q = i + 1; q < j; q++) {
          const u = upper[q] as number;
          const l = lower[q] as number;
          for (let p = i; p < q; p++) {
            if (upper[p] === u && lower[p] === l) {
              repeats++;
              break;
            }
          }
        }
      } else {
        // Many rows alike (a file of repeated rows): the run's whole keys, sorted.
        const run = new Float64Array(j - i);
        for (let q = i; q < j; q++) run[q - i] = (upper[q] as number) * ROW_KEY_LOWER + (lower[q] as number);
        run.sort();
        for (let q = 1; q < run.length; q++) if (run[q] === run[q - 1]) repeats++;
      }
      i = j;
    }
    return repeats;
  }

  /**
   * Sorts as `sort` does when every value is an integer, or a decimal of up to six places, whose
   * scaled integers (value × 10^places) span less than 2^32: those integers sort in the values'
   * order, in two or three passes of one 32-bit key instead of six of two (prices, amounts,
   * measurements). Each value is written back as its integer ÷ 10^places, which is the value
   * itself (checked for each value on the way in). Returns false, having changed nothing, for
   * other values (−0, NaN, infinities, more places, a wider span).
   */
  private sortScaled(values: Float64Array, ranks: RankArray | undefined): boolean {
    const n = values.length;
    let place = 0;
    let scale = 1;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
      // A value is its scaled integer over the scale (NaN and ±Infinity never are).
      while (Math.round(v * scale) / scale !== v) {
        if (++place > MAX_PLACES || v !== v) return false;
        scale = POWERS[place] as number;
      }
      if (v === 0 && 1 / v < 0) return false;
    }
    if (!(max - min < Number.POSITIVE_INFINITY)) return false;
    const base = Math.round(min * scale);
    const span = Math.round(max * scale) - base;
    if (!(span < 2 ** 32) || Math.abs(base) > Number.MAX_SAFE_INTEGER - 2 ** 32) return false;
    let bits = 1;
    while (bits < 32 && span >= 2 ** bits) bits++;
    const passes = Math.ceil(bits / 12);
    const digit = Math.ceil(bits / passes);
    const radix = 1 << digit;
    const mask = radix - 1;
    const withOrder = ranks !== undefined;
    this.reserve(n, withOrder, false);
    let keys = this.hi;
    let keys2 = this.hi2;
    let index = this.index;
    let index2 = this.index2;
    const counts = this.counts;
    counts.fill(0, 0, passes * radix);
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      const scaled = Math.round(v * scale);
      // Checked again at the final scale: the values are then written back from these keys.
      if (scaled / scale !== v) return false;
      const key = scaled - base;
      keys[i] = key;
      for (let p = 0; p < passes; p++) {
        const at = p * radix + ((key >>> (p * digit)) & mask);
        counts[at] = (counts[at] as number) + 1;
      }
    }
    if (withOrder) for (let i = 0; i < n; i++) index[i] = i;
    for (let p = 0; p < passes; p++) {
      const from = p * radix;
      let sum = 0;
      for (let k = from; k < from + radix; k++) {
        const c = counts[k] as number;
        counts[k] = sum;
        sum += c;
      }
      const shift = p * digit;
      if (withOrder) {
        for (let i = 0; i < n; i++) {
          const key = keys[i] as number;
          const at = from + ((key >>> shift) & mask);
          const to = counts[at] as number;
          counts[at] = to + 1;
          keys2[to] = key;
          index2[to] = index[i] as number;
        }
        const t = index;
        index = index2;
        index2 = t;
      } else {
        for (let i = 0; i < n; i++) {
          const key = keys[i] as number;
          const at = from + ((key >>> shift) & mask);
          const to = counts[at] as number;
          counts[at] = to + 1;
          keys2[to] = key;
        }
      }
      const t = keys;
      keys = keys2;
      keys2 = t;
    }
    for (let i = 0; i < n; i++) values[i] = ((keys[i] as number) + base) / scale;
    if (ranks !== undefined) ranksOf(values, index.subarray(0, n), ranks);
    return true;
  }

  /**
   * Sorts `values` ascending in place. With `order` (at least values.length long), order[i] is
   * then the position before the sort of the value now at i; equal values keep their order.
   */
  sort(values: Float64Array, order?: Uint32Array): void {
    const n = values.length;
    if (n < 2) {
      if (order !== undefined && n === 1) order[0] = 0;
      return;
    }
    const index = this.run(values, order !== undefined);
    if (order !== undefined) order.set(index.subarray(0, n));
  }

  /**
   * Sorts `values` (at least 2) in place; returns the positions before the sort when `withOrder`
   * (the sorter's own scratch array: valid until its next sort).
   */
  private run(values: Float64Array, withOrder: boolean): Uint32Array {
    const n = values.length;
    this.reserve(n, withOrder);
    const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    const counts = this.counts;
    counts.fill(0);
    let hi = this.hi;
    let lo = this.lo;
    // Keys whose unsigned order is the numbers' order: the sign bit set for positives (and +0),
    // every bit flipped for negatives (and −0, which so comes right before +0).
    for (let i = 0; i < n; i++) {
      let l = words[2 * i] as number;
      let h = words[2 * i + 1] as number;
      if ((h & 0x80000000) !== 0) {
        h = ~h >>> 0;
        l = ~l >>> 0;
      } else h = (h | 0x80000000) >>> 0;
      hi[i] = h;
      lo[i] = l;
      counts[l & 0x7ff] = (counts[l & 0x7ff] as number) + 1;
      counts[RADIX + ((l >>> 11) & 0x7ff)] = (counts[RADIX + ((l >>> 11) & 0x7ff)] as number) + 1;
      counts[2 * RADIX + (l >>> 22)] = (counts[2 * RADIX + (l >>> 22)] as number) + 1;
      counts[3 * RADIX + (h & 0x7ff)] = (counts[3 * RADIX + (h & 0x7ff)] as number) + 1;
      counts[4 * RADIX + ((h >>> 11) & 0x7ff)] = (counts[4 * RADIX + ((h >>> 11) & 0x7ff)] as number) + 1;
      counts[5 * RADIX + (h >>> 22)] = (counts[5 * RADIX + (h >>> 22)] as number) + 1;
    }
    let index = this.index;
    if (withOrder) for (let i = 0; i < n; i++) index[i] = i;
    // A digit every key shares sorts nothing.
    const active: boolean[] = [];
    for (let d = 0; d < DIGITS; d++) {
      const first = d < 3 ? (lo[0] as number) : (hi[0] as number);
      active.push(counts[d * RADIX + ((first >>> (SHIFTS[d] as number)) & (MASKS[d] as number))] !== n);
    }
    // Low halves that are all the same need not move: they are written back from the first.
    const moveLo = active[0] || active[1] || active[2];
    let hi2 = this.hi2;
    let lo2 = this.lo2;
    let index2 = this.index2;
    for (let d = 0; d < DIGITS; d++) {
      if (!active[d]) continue;
      const base = d * RADIX;
      let sum = 0;
      for (let k = base; k < base + RADIX; k++) {
        const c = counts[k] as number;
        counts[k] = sum;
        sum += c;
      }
      const keys = d < 3 ? lo : hi;
      const shift = SHIFTS[d] as number;
      const mask = MASKS[d] as number;
      if (withOrder && moveLo) {
        for (let i = 0; i < n; i++) {
          const at = base + (((keys[i] as number) >>> shift) & mask);
          const to = counts[at] as number;
          counts[at] = to + 1;
          hi2[to] = hi[i] as number;
          lo2[to] = lo[i] as number;
          index2[to] = index[i] as number;
        }
      } else if (withOrder) {
        for (let i = 0; i < n; i++) {
          const at = base + (((keys[i] as number) >>> shift) & mask);
          const to = counts[at] as number;
          counts[at] = to + 1;
          hi2[to] = hi[i] as number;
          index2[to] = index[i] as number;
        }
      } else if (moveLo) {
        for (let i = 0; i < n; i++) {
          const at = base + (((keys[i] as number) >>> shift) & mask);
          const to = counts[at] as number;
          counts[at] = to + 1;
          hi2[to] = hi[i] as number;
          lo2[to] = lo[i] as number;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const at = base + (((keys[i] as number) >>> shift) & mask);
          const to = counts[at] as number;
          counts[at] = to + 1;
          hi2[to] = hi[i] as number;
        }
      }
      let t = hi;
      hi = hi2;
      hi2 = t;
      if (moveLo) {
        t = lo;
        lo = lo2;
        lo2 = t;
      }
      if (withOrder) {
        t = index;
        index = index2;
        index2 = t;
      }
    }
    // Back to the numbers' bits.
    const sameLo = lo[0] as number;
    for (let i = 0; i < n; i++) {
      const h = hi[i] as number;
      const l = moveLo ? (lo[i] as number) : sameLo;
      if ((h & 0x80000000) !== 0) {
        words[2 * i] = l;
        words[2 * i + 1] = h & 0x7fffffff;
      } else {
        words[2 * i] = ~l;
        words[2 * i + 1] = ~h;
      }
    }
    return index;
  }

  /**
   * Sorts `values` ascending in place, as `sort` does, choosing the cheapest way that gives the
   * same bits: nothing for values already in order (an id column), a count of each distinct
   * value for a column of few distinct values (ages, prices, dates), else the radix sort. With
   * `ranks` (values.length long), writes each value's rank 1..n (ties: their average rank) at
   * its position before the sort, which is what the Spearman correlation reads.
   */
  sortRanked(values: Float64Array, ranks?: RankArray): void {
    const n = values.length;
    if (inKeyOrder(values)) {
      if (ranks !== undefined) ranksOf(values, undefined, ranks);
      return;
    }
    if (sortFew(values, this, ranks)) return;
    if (n >= SCALED_FROM && this.sortScaled(values, ranks)) return;
    const order = this.run(values, ranks !== undefined);
    if (ranks !== undefined) ranksOf(values, order.subarray(0, n), ranks);
  }
}

/**
 * Ranks are half-integers up to the count of values: a Float32Array holds them exactly up to
 * 2^23 values and takes half the memory of a Float64Array (docs/processor.md, "Speed and memory").
 */
export type RankArray = Float32Array | Float64Array;

export function rankArray(n: number): RankArray {
  return n <= 1 << 23 ? new Float32Array(n) : new Float64Array(n);
}

/** Whether the values are already in the order the radix sort gives (−0 before 0, no NaN). */
function inKeyOrder(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1] as number;
    const b = values[i] as number;
    if (a < b) continue;
    // Equal: in order unless 0 comes before −0 (1 / ±0 is ±Infinity).
    if (a === b && (a !== 0 || 1 / a <= 1 / b)) continue;
    return false;
  }
  return true;
}

/** Decimal places at most of a scaled sort (RadixSorter.sortScaled), and their powers of ten. */
const MAX_PLACES = 6;
const POWERS = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000] as const;
/** Values at least for a scaled sort: below, its extra pass over the values is not worth it. */
const SCALED_FROM = 4096;

/** Distinct values at most for counting instead of sorting: the table stays within a few hundred KB. */
const FEW_DISTINCT = 1 << 16;

/**
 * Sorts by counting, when at most FEW_DISTINCT values (and at most one in eight) are distinct:
 * every value's bits go into a hash table with their count, the distinct values are sorted (a few
 * thousand), and the column is written back value by value. Returns false, having changed nothing
 * but `ranks`, when there are more, or a NaN.
 */
function sortFew(values: Float64Array, sorter: RadixSorter, ranks: RankArray | undefined): boolean {
  const n = values.length;
  const limit = Math.min(FEW_DISTINCT, n >>> 3);
  if (limit < 64) return false;
  let bits = 7;
  while (1 << bits < 2 * limit) bits++;
  const shift = 32 - bits;
  const mask = (1 << bits) - 1;
  const table = new Int32Array(1 << bits);
  const keys = new Uint32Array(2 * limit);
  const counts = new Float64Array(limit);
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i] as number;
    const hi = words[2 * i + 1] as number;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> shift;
    let code = -1;
    for (;;) {
      const e = table[h] as number;
      if (e === 0) break;
      if (keys[2 * e - 2] === lo && keys[2 * e - 1] === hi) {
        code = e - 1;
        break;
      }
      h = (h + 1) & mask;
    }
    if (code < 0) {
      if (m === limit) return false;
      code = m++;
      keys[2 * code] = lo;
      keys[2 * code + 1] = hi;
      table[h] = code + 1;
    }
    counts[code] = (counts[code] as number) + 1;
    if (ranks !== undefined) ranks[i] = code;
  }
  const distinct = new Float64Array(keys.buffer, 0, m);
  for (let k = 0; k < m; k++) if (distinct[k] !== distinct[k]) return false;
  const order = new Uint32Array(m);
  sorter.sort(distinct.slice(0, m), order);
  // Written back in the order of their bits, as the radix sort leaves them; each group of equal
  // values (−0 and 0 are one) gets its average rank.
  const rankOfCode = ranks === undefined ? undefined : new Float64Array(m);
  let at = 0;
  for (let k = 0; k < m; ) {
    let group = k + 1;
    const v = distinct[order[k] as number] as number;
    while (group < m && distinct[order[group] as number] === v) group++;
    const start = at;
    for (let q = k; q < group; q++) {
      const code = order[q] as number;
      const c = counts[code] as number;
      values.fill(distinct[code] as number, at, at + c);
      at += c;
    }
    if (rankOfCode !== undefined) {
      const rank = (start + at - 1) / 2 + 1;
      for (let q = k; q < group; q++) rankOfCode[order[q] as number] = rank;
    }
    k = group;
  }
  if (ranks !== undefined && rankOfCode !== undefined) for (let i = 0; i < n; i++) ranks[i] = rankOfCode[ranks[i] as number] as number;
  return true;
}

/**
 * Ranks 1..n of values sorted ascending (ties get their average rank), written for each value
 * at its position before the sort: rank[order[i]] for sorted[i].
 */
export function ranksOf(sorted: Float64Array, order: Uint32Array | undefined, ranks: RankArray): void {
  const n = sorted.length;
  for (let i = 0; i < n; ) {
    const v = sorted[i] as number;
    let j = i + 1;
    // −0 and 0 are one value (the sort put −0 first).
    while (j < n && sorted[j] === v) j++;
    const rank = (i + j - 1) / 2 + 1;
    // No order: the values were sorted already, each is where it was.
    if (order === undefined) for (let q = i; q < j; q++) ranks[q] = rank;
    else for (let q = i; q < j; q++) ranks[order[q] as number] = rank;
    i = j;
  }
}
