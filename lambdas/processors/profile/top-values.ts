/**
 * Frequent values with counts, in fixed memory. Up to `capacity` distinct values it is an exact
 * counter (every distinct value has a slot); past that it becomes SpaceSaving (Metwally et al.):
 * a new value takes over the slot of the least counted one and inherits its count as error,
 * so any value occurring more than n / capacity times is guaranteed to be kept and every count
 * overestimates by at most `error` (<= n / capacity).
 *
 * Values are identified by their 32-bit hash (no string per cell on the hot path); a label of at
 * most `LABEL_BYTES` bytes is copied from the input when a value takes a slot.
 */
export const LABEL_BYTES = 80;

export interface TopValue {
  readonly value: string;
  /** The label was cut at `LABEL_BYTES` bytes. */
  readonly truncated: boolean;
  readonly count: number;
  /** Upper bound on how much `count` overestimates (0 while exact). */
  readonly error: number;
}

const EMPTY = -1;

export class TopValues {
  readonly capacity: number;
  /** True once a value has been evicted: counts are then SpaceSaving estimates. */
  evicted = false;
  size = 0;
  private readonly mask: number;
  private readonly table: Int32Array;
  private readonly slotHash: Int32Array;
  private readonly slotCount: Float64Array;
  private readonly slotError: Float64Array;
  private readonly labels: Uint8Array;
  private readonly labelLength: Uint8Array;
  private readonly labelCut: Uint8Array;
  /** Min-heap of slots by count, built at the first eviction (not needed while exact). */
  private heap: Int32Array | undefined;
  private heapPos: Int32Array | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let tableSize = 2;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.mask = tableSize - 1;
    this.table = new Int32Array(tableSize).fill(EMPTY);
    this.slotHash = new Int32Array(capacity);
    this.slotCount = new Float64Array(capacity);
    this.slotError = new Float64Array(capacity);
    this.labels = new Uint8Array(capacity * LABEL_BYTES);
    this.labelLength = new Uint8Array(capacity);
    this.labelCut = new Uint8Array(capacity);
  }

  /** Hashes of the values held (for seeding a distinct-count sketch at the first eviction). */
  heldHashes(): Int32Array {
    return this.slotHash.subarray(0, this.size);
  }

  add(hash: number, buf: Uint8Array, start: number, end: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const slot = table[i] as number;
      if (slot === EMPTY) break;
      if (this.slotHash[slot] === hash) {
        this.slotCount[slot]! += 1;
        if (this.heap !== undefined) this.siftDown((this.heapPos as Int32Array)[slot] as number);
        return;
      }
      i = (i + 1) & mask;
    }
    if (this.size < this.capacity) {
      const slot = this.size++;
      table[i] = slot;
      this.slotHash[slot] = hash;
      this.slotCount[slot] = 1;
      this.setLabel(slot, buf, start, end);
      return;
    }
    if (this.heap === undefined) this.buildHeap();
    this.evicted = true;
    const heap = this.heap as Int32Array;
    const slot = heap[0] as number;
    this.removeFromTable(this.slotHash[slot] as number);
    const minCount = this.slotCount[slot] as number;
    this.slotError[slot] = minCount;
    this.slotCount[slot] = minCount + 1;
    this.slotHash[slot] = hash;
    this.setLabel(slot, buf, start, end);
    // Re-probe: the backward-shift delete may have moved entries of this chain.
    let j = hash & mask;
    while (table[j] !== EMPTY) j = (j + 1) & mask;
    table[j] = slot;
    this.siftDown(0);
  }

  /** Combine another summary into this one (SpaceSaving merge: counts add, errors add). */
  merge(other: TopValues): void {
    const combined = new Map<number, { count: number; error: number; label: Uint8Array; cut: boolean }>();
    const minOf = (t: TopValues): number => (t.evicted && t.size > 0 ? Math.min(...t.slotCount.subarray(0, t.size)) : 0);
    const minA = minOf(this);
    const minB = minOf(other);
    const collect = (t: TopValues, otherMin: number, first: boolean): void => {
      for (let s = 0; s < t.size; s++) {
        const h = t.slotHash[s] as number;
        const entry = combined.get(h);
        const label = t.labels.slice(s * LABEL_BYTES, s * LABEL_BYTES + (t.labelLength[s] as number));
        if (entry === undefined) {
          // Absent from the other summary: it may have occurred there up to that summary's min.
          combined.set(h, { count: (t.slotCount[s] as number) + otherMin, error: (t.slotError[s] as number) + otherMin, label, cut: t.labelCut[s] === 1 });
        } else {
          entry.count += (t.slotCount[s] as number) - (first ? 0 : otherMin);
          entry.error += (t.slotError[s] as number) - (first ? 0 : otherMin);
        }
      }
    };
    collect(this, minB, true);
    collect(other, minA, false);
    const entries = [...combined.entries()].sort((a, b) => b[1].count - a[1].count);
    const evicted = this.evicted || other.evicted || entries.length > this.capacity;
    this.table.fill(EMPTY);
    this.size = 0;
    this.heap = undefined;
    this.heapPos = undefined;
    for (const [h, e] of entries.slice(0, this.capacity)) {
      const slot = this.size++;
      this.slotHash[slot] = h;
      this.slotCount[slot] = e.count;
      this.slotError[slot] = e.error;
      this.labels.set(e.label, slot * LABEL_BYTES);
      this.labelLength[slot] = e.label.length;
      this.labelCut[slot] = e.cut ? 1 : 0;
      let j = h & this.mask;
      while (this.table[j] !== EMPTY) j = (j + 1) & this.mask;
      this.table[j] = slot;
    }
    this.evicted = evicted;
    if (evicted) this.buildHeap();
  }

  /** The `limit` most frequent values, most frequent first (ties by label for stable output). */
  top(limit: number): TopValue[] {
    const decoder = new TextDecoder();
    const out: TopValue[] = [];
    for (let s = 0; s < this.size; s++) {
      const at = s * LABEL_BYTES;
      out.push({
        value: decoder.decode(this.labels.subarray(at, at + (this.labelLength[s] as number))),
        truncated: this.labelCut[s] === 1,
        count: this.slotCount[s] as number,
        error: this.slotError[s] as number,
      });
    }
    out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return out.slice(0, limit);
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

  /** Linear-probing delete with backward shift, so lookups never need tombstones. */
  private removeFromTable(hash: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (this.slotHash[table[i] as number] !== hash) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const slot = table[j] as number;
      if (slot === EMPTY) break;
      const home = (this.slotHash[slot] as number) & mask;
      // Move the entry back if its home is not cyclically within (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        table[i] = slot;
        i = j;
      }
    }
    table[i] = EMPTY;
  }

  private buildHeap(): void {
    const heap = new Int32Array(this.capacity);
    const pos = new Int32Array(this.capacity);
    for (let s = 0; s < this.size; s++) {
      heap[s] = s;
      pos[s] = s;
    }
    this.heap = heap;
    this.heapPos = pos;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(i: number): void {
    const heap = this.heap as Int32Array;
    const pos = this.heapPos as Int32Array;
    const counts = this.slotCount;
    const n = this.size;
    const slot = heap[i] as number;
    const count = counts[slot] as number;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (counts[heap[right] as number] as number) < (counts[heap[child] as number] as number)) child = right;
      const childSlot = heap[child] as number;
      if ((counts[childSlot] as number) >= count) break;
      heap[i] = childSlot;
      pos[childSlot] = i;
      i = child;
    }
    heap[i] = slot;
    pos[slot] = i;
  }
}
