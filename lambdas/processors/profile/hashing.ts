/**
 * The profile's cell hashes, in JavaScript: MurmurHash3 (x86, 32-bit) over the raw bytes, read
 * four at a time, with its finaliser, so every output bit depends on every input bit
 * (HyperLogLog reads the top bits, the hash tables the low ones); numbers by value.
 *
 * The profile itself hashes in the cell kernel (assembly/cells.ts). This file is the readable
 * definition the kernel is held to: test/unit/profile/cell-kernel.test.ts checks that both give
 * every cell the same hash, and the sketch tests hash their values with it. Changing a hash
 * moves HyperLogLog estimates in every report, so change both, and say so.
 */
const C1 = 0xcc9e2d51 | 0;
const C2 = 0x1b873593;

/** Characters of the text last hashed by `hashText` (UTF-8 bytes other than continuation bytes). */
export const hashedText = { chars: 0 };

export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * Hash of bytes [start, end) of `buf`; `view` is a DataView over the same bytes as `buf` (made once
 * per buffer by the caller). Also counts the characters, into `hashedText.chars`.
 */
export function hashText(buf: Uint8Array, view: DataView, start: number, end: number): number {
  let h = 0x2f1c7a35;
  let continuation = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = view.getInt32(i, true);
    // Continuation bytes are 10xxxxxx: bit 7 set, bit 6 (shifted up to bit 7) clear.
    const c = w & ~(w << 1) & 0x80808080;
    continuation += Math.imul(c >>> 7, 0x01010101) >>> 24;
    let k = Math.imul(w, C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < end) {
    let k = 0;
    for (let shift = 0; i < end; i++, shift += 8) {
      const b = buf[i] as number;
      k |= b << shift;
      if ((b & 0xc0) === 0x80) continuation++;
    }
    k = Math.imul(k, C1);
    h ^= Math.imul((k << 15) | (k >>> 17), C2);
  }
  hashedText.chars = end - start - continuation;
  return mix32(h ^ (end - start));
}

export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  return hashText(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), start, end);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * Hash of a number by value (its IEEE bits), so "1.50" and "1.5" count as one distinct value,
 * as they do in a database. Cheaper than hashing the digits.
 */
export function hashNumber(v: number): number {
  // Integers that fit 32 bits (most ids, counts, years) skip the trip through the IEEE bits.
  if ((v | 0) === v) return mix32(Math.imul(v, 0x9e3779b1) ^ 0x7f4a7c15);
  f64[0] = v;
  return mix32((u32[0] as number) ^ mix32(((u32[1] as number) + 0x9e3779b9) | 0));
}
