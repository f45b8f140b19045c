/**
 * HyperLogLog distinct-count sketch over 32-bit hashes, with Ertl's improved estimator
 * ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which is nearly
 * unbiased over the whole range and so needs neither linear counting nor empirical bias tables.
 * Standard error is 1.04 / sqrt(2^precision): 0.81 % at precision 14.
 */
/** Hashes buffered before they are applied to the registers. */
const PENDING = 256;

export class HyperLogLog {
  readonly precision: number;
  private readonly ranks: Uint8Array;
  private readonly pending = new Int32Array(PENDING);
  private pendingCount = 0;
  /** Bits of the hash left after the register index: the largest rank is `q + 1`. */
  private readonly q: number;

  constructor(precision = 14) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError(`HyperLogLog precision must be an integer in 4..16, got ${precision}`);
    }
    this.precision = precision;
    this.q = 32 - precision;
    this.ranks = new Uint8Array(1 << precision);
  }

  /** One rank per register (every buffered hash applied). */
  get registers(): Uint8Array {
    this.flush();
    return this.ranks;
  }

  /** `hash` must be a well-mixed 32-bit value (see `mix32`). */
  add(hash: number): void {
    this.pending[this.pendingCount++] = hash;
    if (this.pendingCount === PENDING) this.flush();
  }

  /** Adds hashes[from], hashes[from + step], … before `to` at once, straight into the registers (the result does not depend on order). */
  addAll(hashes: Int32Array, from: number, to: number, step: number): void {
    const ranks = this.ranks;
    const q = this.q;
    const guard = 1 << (this.precision - 1);
    const precision = this.precision;
    for (let i = from; i < to; i += step) {
      const hash = hashes[i] as number;
      const index = hash >>> q;
      const rank = Math.clz32((hash << precision) | guard) + 1;
      if (rank > (ranks[index] as number)) ranks[index] = rank;
    }
  }

  /**
   * Applies the buffered hashes. Batched because the registers (32 KB at precision 15) are
   * mostly out of cache between two values of one column; in a tight loop of independent
   * updates the cache misses overlap instead of stalling the per-cell path one by one.
   */
  private flush(): void {
    this.addAll(this.pending, 0, this.pendingCount, 1);
    this.pendingCount = 0;
  }

  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) throw new RangeError('cannot merge HyperLogLog sketches of different precision');
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if ((b[i] as number) > (a[i] as number)) a[i] = b[i] as number;
  }

  estimate(): number {
    const registers = this.registers;
    const m = registers.length;
    const q = this.q;
    const histogram = new Float64Array(q + 2);
    for (let i = 0; i < m; i++) {
      const r = registers[i] as number;
      histogram[r] = (histogram[r] as number) + 1;
    }
    let z = m * tau(1 - (histogram[q + 1] as number) / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number));
    z += m * sigma((histogram[0] as number) / m);
    const alphaInf = 1 / (2 * Math.LN2);
    return (alphaInf * m * m) / z;
  }
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z !== previous);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (z !== previous);
  return z / 3;
}
