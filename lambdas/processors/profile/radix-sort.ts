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

  private reserve(n: number, withOrder: boolean): void {
    if (this.hi.length < n) {
      this.hi = new Uint32Array(n);
      this.lo = new Uint32Array(n);
      this.hi2 = new Uint32Array(n);
      this.lo2 = new Uint32Array(n);
    }
    if (withOrder && this.index.length < n) {
      this.index = new Uint32Array(n);
      this.index2 = new Uint32Array(n);
    }
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
    const withOrder = order !== undefined;
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
    if (withOrder) (order as Uint32Array).set(index.subarray(0, n));
  }
}

/**
 * Ranks 1..n of values sorted ascending (ties get their average rank), written for each value
 * at its position before the sort: rank[order[i]] for sorted[i].
 */
export function ranksOf(sorted: Float64Array, order: Uint32Array, ranks: Float64Array): void {
  const n = sorted.length;
  for (let i = 0; i < n; ) {
    const v = sorted[i] as number;
    let j = i + 1;
    // −0 and 0 are one value (the sort put −0 first).
    while (j < n && sorted[j] === v) j++;
    const rank = (i + j - 1) / 2 + 1;
    for (let q = i; q < j; q++) ranks[order[q] as number] = rank;
    i = j;
  }
}
