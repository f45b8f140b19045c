/**
 * Duplicate-row counting in fixed memory by adaptive hash sampling (Gibbons' distinct sampling):
 * rows whose hash falls below a threshold are counted exactly in a table; when the table fills,
 * the threshold halves and rows above it are dropped. Identical rows share a hash, so they are
 * all sampled or none are, and the duplicate count scales up by the sampling rate. While the
 * threshold has never halved (up to `capacity` distinct rows) the count is exact up to hash
 * collisions (two independent 32-bit hashes per row, so effectively 53 bits).
 */
const TWO_32 = 4294967296;

export class RowDuplicates {
  private readonly capacity: number;
  private tableSize: number;
  private keys: Float64Array;
  private counts: Float64Array;
  private size = 0;
  /** Rows are sampled when their first hash (as unsigned) is below this. */
  private threshold = TWO_32;
  rows = 0;

  constructor(capacity = 1 << 17) {
    this.capacity = capacity;
    this.tableSize = 1;
    while (this.tableSize < capacity * 2) this.tableSize *= 2;
    this.keys = new Float64Array(this.tableSize);
    this.counts = new Float64Array(this.tableSize);
  }

  add(h1: number, h2: number): void {
    this.rows++;
    const u = h1 >>> 0;
    if (u >= this.threshold) return;
    // 32 + 21 bits fit exactly in a double; +1 keeps 0 free to mark an empty slot.
    const key = u * 2097152 + (h2 & 0x1fffff) + 1;
    const mask = this.tableSize - 1;
    let i = (h2 ^ h1) & mask;
    const keys = this.keys;
    for (;;) {
      const k = keys[i] as number;
      if (k === key) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    keys[i] = key;
    this.counts[i] = 1;
    if (++this.size > this.capacity) this.halve();
  }

  get exact(): boolean {
    return this.threshold === TWO_32;
  }

  /** Rows that repeat an earlier row (a row seen 3 times counts 2). */
  get duplicates(): number {
    let sampledRows = 0;
    for (let i = 0; i < this.tableSize; i++) sampledRows += this.counts[i] as number;
    const sampledDuplicates = sampledRows - this.size;
    return Math.round(sampledDuplicates * (TWO_32 / this.threshold));
  }

  private halve(): void {
    while (this.size > this.capacity) {
      this.threshold /= 2;
      const oldKeys = this.keys;
      const oldCounts = this.counts;
      this.keys = new Float64Array(this.tableSize);
      this.counts = new Float64Array(this.tableSize);
      this.size = 0;
      const mask = this.tableSize - 1;
      const limit = this.threshold * 2097152;
      for (let j = 0; j < oldKeys.length; j++) {
        const key = oldKeys[j] as number;
        if (key === 0 || key - 1 >= limit) continue;
        const u = Math.floor((key - 1) / 2097152);
        const low = (key - 1) % 2097152;
        let i = ((low ^ u) | 0) & mask;
        while (this.keys[i] !== 0) i = (i + 1) & mask;
        this.keys[i] = key;
        this.counts[i] = oldCounts[j] as number;
        this.size++;
      }
    }
  }
}
