/**
 * Byte hashing for the hot path: FNV-1a over the raw bytes, then the MurmurHash3 finaliser so
 * that every output bit depends on every input bit (HyperLogLog reads the top bits, the hash
 * tables the low ones). Hashing the bytes avoids building a string per cell.
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), FNV_PRIME);
  return mix32(h);
}

/** Hash of a JS string through its UTF-8 bytes, so it matches `hashBytes` on the encoded text. */
export function hashString(text: string): number {
  const bytes = new TextEncoder().encode(text);
  return hashBytes(bytes, 0, bytes.length);
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
