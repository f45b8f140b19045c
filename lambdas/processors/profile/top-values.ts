/**
 * Frequent values with counts, in fixed memory. Up to `capacity` distinct values it is an exact
 * counter; past that it is the Misra-Gries "frequent items" summary as DataSketches implements
 * it: when the table is full, the median counter (estimated from a sample of counters) is
 * subtracted from every counter, entries that drop to zero are purged, and the subtracted
 * total (`offset`) bounds the error. Each true count lies in [counter, counter + offset], and
 * any value occurring more than n / (capacity / 2) times is guaranteed to be held. Amortised
 * O(1) per value: no heap, no per-value allocation.
 *
 * Values are identified by their 32-bit hash (no string per cell on the hot path). Labels (the
 * first `LABEL_BYTES` bytes of the value) are copied on insert while the summary is exact, and
 * after the first purge only when a value is seen a second time, since most values that arrive
 * then are purged before they recur.
 */
export const LABEL_BYTES = 64;

export interface TopValue {
  readonly value: string;
  /** The label was cut at `LABEL_BYTES` bytes. */
  readonly truncated: boolean;
  /** Upper estimate of the count (counter + offset). */
  readonly count: number;
  /** `count` may exceed the true count by at most this (0 while exact). */
  readonly error: number;
}

const EMPTY = -1;
const NO_LABEL = 255;
const MEDIAN_SAMPLE = 64;
/**
 * A column that keeps churning through the table (many distinct values) switches to counting
 * every SAMPLE_STRIDE-th value only, with counts scaled back up: heavy hitters keep their place
 * (a value with share p gets ~p·n/8 sampled counts) and the per-value cost drops by the stride.
 */
const SAMPLE_STRIDE = 8;
const SAMPLE_AFTER_VALUES = 1 << 17;
const SAMPLE_AFTER_PURGES = 16;

export class TopValues {
  readonly capacity: number;
  /** True once a purge happened: counts are then bounded estimates. */
  evicted = false;
  size = 0;
  /** Total subtracted from every counter by purges: the error bound (in sampled units). */
  offset = 0;
  /** 1 while every value is counted; SAMPLE_STRIDE once sampling (counters are then in sampled units). */
  stride = 1;
  /** Values until the next one that is counted (sampling mode). */
  countdown = 1;
  private values = 0;
  private purges = 0;
  private readonly mask: number;
  /** Open addressing, two ints per entry: slot (EMPTY when free) and the value's hash, side by side so a lookup touches one cache line. */
  private table: Int32Array;
  private readonly slotHash: Int32Array;
  private readonly slotCount: Float64Array;
  private readonly labels: Uint8Array;
  private readonly labelLength: Uint8Array;
  private readonly labelCut: Uint8Array;
  private readonly sample = new Float64Array(MEDIAN_SAMPLE);

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be an integer >= 2, got ${capacity}`);
    this.capacity = capacity;
    // `offset` turns fractional in sampling mode. Stored as a double once here, while nothing is
    // optimised yet, so that V8 does not change the object's shape (and deoptimise every column's
    // hot path) when the first column starts sampling mid-run.
    this.offset = 0.5;
    this.offset = 0;
    let tableSize = 2;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.mask = tableSize - 1;
    this.table = new Int32Array(tableSize * 2).fill(EMPTY);
    this.slotHash = new Int32Array(capacity);
    this.slotCount = new Float64Array(capacity);
    this.labels = new Uint8Array(capacity * LABEL_BYTES);
    this.labelLength = new Uint8Array(capacity);
    this.labelCut = new Uint8Array(capacity);
  }

  /** Hashes of the values held (for seeding a distinct-count sketch before the first purge). */
  heldHashes(): Int32Array {
    return this.slotHash.subarray(0, this.size);
  }

  /** The slot holding `hash`, or EMPTY. */
  private slotOf(hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const slot = table[2 * i] as number;
      if (slot === EMPTY || table[2 * i + 1] === hash) return slot;
      i = (i + 1) & mask;
    }
  }

  /**
   * Counts one value if it is held and needs nothing else (no label to take): the caller then
   * skips finding its bytes. Returns false, having changed nothing, otherwise; `add` follows.
   */
  hit(hash: number): boolean {
    const slot = this.slotOf(hash);
    if (slot === EMPTY || (this.evicted && this.labelLength[slot] === NO_LABEL)) return false;
    this.values++;
    this.slotCount[slot] = (this.slotCount[slot] as number) + 1;
    return true;
  }

  /** Counts one value; returns true when it was not held (a new entry was made for it). */
  add(hash: number, buf: Uint8Array, start: number, end: number): boolean {
    this.values++;
    const held = this.slotOf(hash);
    if (held !== EMPTY) {
      this.slotCount[held] = (this.slotCount[held] as number) + 1;
      if (this.evicted && this.labelLength[held] === NO_LABEL) this.setLabel(held, buf, start, end);
      return false;
    }
    if (this.size === this.capacity) this.purge();
    const slot = this.size++;
    this.place(hash, slot);
    this.slotHash[slot] = hash;
    this.slotCount[slot] = 1;
    if (this.evicted) this.labelLength[slot] = NO_LABEL;
    else this.setLabel(slot, buf, start, end);
    return true;
  }

  /**
   * Enters a value with its count, when the summary takes over from an exact table (largest
   * counts first, at most `capacity`). `offset` then bounds the count of every value not entered.
   */
  seed(hash: number, label: Uint8Array, count: number): void {
    const slot = this.size++;
    this.values += count;
    this.place(hash, slot);
    this.slotHash[slot] = hash;
    this.slotCount[slot] = count;
    this.setLabel(slot, label, 0, label.length);
  }

  /** After seeding: counts of values left out are at most `offset`; from now on counts are estimates. */
  seeded(offset: number): void {
    this.evicted = true;
    this.offset = offset;
  }

  /** Combines another summary into this one: counters and offsets add, then purge to fit. */
  merge(other: TopValues): void {
    const entries = new Map<number, { count: number; label: Uint8Array | undefined; cut: boolean }>();
    // Counters of a sampling summary are in sampled units: the merge works in true counts.
    for (const t of [this, other] as const) {
      for (let s = 0; s < t.size; s++) {
        const h = t.slotHash[s] as number;
        const len = t.labelLength[s] as number;
        const label = len === NO_LABEL ? undefined : t.labels.slice(s * LABEL_BYTES, s * LABEL_BYTES + len);
        const entry = entries.get(h);
        const count = (t.slotCount[s] as number) * t.stride;
        if (entry === undefined) entries.set(h, { count, label, cut: t.labelCut[s] === 1 });
        else {
          entry.count += count;
          entry.label ??= label;
        }
      }
    }
    const sorted = [...entries.entries()].sort((a, b) => b[1].count - a[1].count);
    let offset = this.offset * this.stride + other.offset * other.stride;
    let evicted = this.evicted || other.evicted;
    if (sorted.length > this.capacity) {
      // Subtract the largest dropped counter from the kept ones, as a purge would.
      const dropped = (sorted[this.capacity] as [number, { count: number }])[1].count;
      offset += dropped;
      evicted = true;
      for (const [, e] of sorted) e.count -= dropped;
    }
    this.table.fill(EMPTY);
    this.size = 0;
    for (const [h, e] of sorted.slice(0, this.capacity)) {
      if (e.count <= 0) continue;
      const slot = this.size++;
      this.slotHash[slot] = h;
      this.slotCount[slot] = e.count;
      if (e.label === undefined) this.labelLength[slot] = NO_LABEL;
      else {
        this.labels.set(e.label, slot * LABEL_BYTES);
        this.labelLength[slot] = e.label.length;
        this.labelCut[slot] = e.cut ? 1 : 0;
      }
      this.place(h, slot);
    }
    this.offset = offset;
    this.evicted = evicted;
    this.stride = 1;
    this.countdown = 1;
  }

  /**
   * The `limit` most frequent values, most frequent first. Once estimates, only values whose
   * guaranteed count (counter) is at least the error bound are listed: the rest are noise.
   */
  top(limit: number): TopValue[] {
    const decoder = new TextDecoder();
    const out: TopValue[] = [];
    for (let s = 0; s < this.size; s++) {
      const len = this.labelLength[s] as number;
      const counter = this.slotCount[s] as number;
      if (len === NO_LABEL || (this.evicted && counter < this.offset)) continue;
      const at = s * LABEL_BYTES;
      out.push({ value: decoder.decode(this.labels.subarray(at, at + len)), truncated: this.labelCut[s] === 1, count: (counter + this.offset) * this.stride, error: this.offset * this.stride });
    }
    out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return out.slice(0, limit);
  }

  /** Estimated count of one value (by hash): counter + offset, or offset if not held. */
  estimate(hash: number): number {
    const slot = this.slotOf(hash);
    return ((slot === EMPTY ? 0 : (this.slotCount[slot] as number)) + this.offset) * this.stride;
  }

  /** Enters a hash that is not in the table yet. */
  private place(hash: number, slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[2 * i] !== EMPTY) i = (i + 1) & mask;
    table[2 * i] = slot;
    table[2 * i + 1] = hash;
  }

  private setLabel(slot: number, buf: Uint8Array, start: number, end: number): void {
    let stop = end;
    let cut = 0;
    if (end - start > LABEL_BYTES) {
      stop = start + LABEL_BYTES;
      // Do not split a UTF-8 sequence: back up to the start of the character.
      while (stop > start && ((buf[stop] as number) & 0xc0) === 0x80) stop--;
      cut = 1;
    }
    const labels = this.labels;
    let at = slot * LABEL_BYTES;
    for (let i = start; i < stop; i++) labels[at++] = buf[i] as number;
    this.labelLength[slot] = stop - start;
    this.labelCut[slot] = cut;
  }

  private startSampling(): void {
    this.stride = SAMPLE_STRIDE;
    this.countdown = SAMPLE_STRIDE;
    for (let s = 0; s < this.size; s++) this.slotCount[s] = (this.slotCount[s] as number) / SAMPLE_STRIDE;
    this.offset /= SAMPLE_STRIDE;
  }

  /** Subtracts the (sampled) median counter from all counters and drops those left at zero. */
  private purge(): void {
    this.evicted = true;
    if (++this.purges >= SAMPLE_AFTER_PURGES && this.values >= SAMPLE_AFTER_VALUES && this.stride === 1) this.startSampling();
    const n = this.size;
    const counts = this.slotCount;
    const sample = this.sample;
    const step = n / MEDIAN_SAMPLE;
    // Insertion sort: 64 numbers, and typed-array sort() has a high fixed cost in V8.
    for (let j = 0; j < MEDIAN_SAMPLE; j++) {
      const c = counts[Math.floor(j * step)] as number;
      let k = j - 1;
      while (k >= 0 && (sample[k] as number) > c) {
        sample[k + 1] = sample[k] as number;
        k--;
      }
      sample[k + 1] = c;
    }
    const threshold = Math.max(1, sample[MEDIAN_SAMPLE >> 1] as number);
    this.offset += threshold;
    this.table.fill(EMPTY);
    let kept = 0;
    for (let s = 0; s < n; s++) {
      const c = (counts[s] as number) - threshold;
      if (c <= 0) continue;
      if (kept !== s) {
        this.slotHash[kept] = this.slotHash[s] as number;
        this.labelLength[kept] = this.labelLength[s] as number;
        this.labelCut[kept] = this.labelCut[s] as number;
        if (this.labelLength[s] !== NO_LABEL) this.labels.copyWithin(kept * LABEL_BYTES, s * LABEL_BYTES, s * LABEL_BYTES + (this.labelLength[s] as number));
      }
      counts[kept] = c;
      this.place(this.slotHash[kept] as number, kept);
      kept++;
    }
    this.size = kept;
  }
}
