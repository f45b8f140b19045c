/**
 * HyperLogLog distinct-count sketch over 32-bit hashes, with Ertl's improved estimator
 * ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which is nearly
 * unbiased over the whole range and so needs neither linear counting nor empirical bias tables.
 * Standard error is 1.04 / sqrt(2^precision): 0.81 % at precision 14.
 */
export class HyperLogLog {
  readonly precision: number;
  readonly registers: Uint8Array;
  /** Bits of the hash left after the register index: the largest rank is `q + 1`. */
  private readonly q: number;

  constructor(precision = 14) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError(`HyperLogLog precision must be an integer in 4..16, got ${precision}`);
    }
    this.precision = precision;
    this.q = 32 - precision;
    this.registers = new Uint8Array(1 << precision);
  }

  /** `hash` must be a well-mixed 32-bit value (see `mix32`). */
  add(hash: number): void {
    const index = hash >>> this.q;
    // The guard bit caps the rank at q + 1 when the remaining bits are all zero.
    const rank = Math.clz32((hash << this.precision) | (1 << (this.precision - 1))) + 1;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) throw new RangeError('cannot merge HyperLogLog sketches of different precision');
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if ((b[i] as number) > (a[i] as number)) a[i] = b[i] as number;
  }

  estimate(): number {
    const m = this.registers.length;
    const q = this.q;
    const histogram = new Float64Array(q + 2);
    for (let i = 0; i < m; i++) {
      const r = this.registers[i] as number;
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
