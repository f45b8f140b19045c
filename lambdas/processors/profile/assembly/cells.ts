// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`, embedded in ../cells-wasm.ts).
// The per-cell work of a column's batch: kind, value, hash and length of every cell, with the
// same results as value-parser.ts, hashing.ts and column-profile.ts compute in JavaScript (a
// property test holds the two to each other). WebAssembly runs this at full speed from the first
// batch, with no type checks per byte, where V8 needs most of a second to optimise the
// JavaScript and still re-checks every array access.

// Kinds, as ValueKind in value-parser.ts.
const MISSING: u8 = 0;
const INTEGER: u8 = 1;
const DECIMAL: u8 = 2;
const BOOLEAN: u8 = 3;
const DATE: u8 = 4;
const DATETIME: u8 = 5;
const STRING: u8 = 6;

/**
 * JavaScript's Number() of the bytes [start, end) of this memory: for the numbers value-parser.ts
 * also leaves to Number() (more than 15 significant digits, or an exponent), so both agree.
 */
@external("env", "numberText")
declare function numberText(start: usize, end: usize): f64;

const MISSING_HASH: i32 = 0x2545f491;
const MS_PER_DAY: f64 = 86_400_000;

const POW10 = memory.data<f64>([1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16]);
const DAYS_IN_MONTH = memory.data<u8>([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

/** Where the caller may put its arrays: past this module's own static data. */
export function heapBase(): usize {
  return __heap_base;
}

// The parsed value of the last cell classified.
let value: f64 = 0;

// Number styles, as NumberStyle in value-parser.ts: which comma forms the column reads as numbers.
const STYLE_PLAIN: i32 = 0;
const STYLE_THOUSANDS: i32 = 1;
const STYLE_DECIMAL_COMMA: i32 = 2;
const STYLE_EITHER_THOUSANDS: i32 = 3;
const STYLE_EITHER_DECIMAL_COMMA: i32 = 4;
// The style of the column being classified (an argument of `cells`).
let style: i32 = STYLE_PLAIN;
// Of the last number parsed: 0 plain, 1 with thousands separators, 2 with a decimal comma.
let form: i32 = 0;
// The last number parsed is written exactly as JavaScript's String() writes its value.
let canonical: bool = false;

@inline function isBlank(b: u32): bool {
  return b == 0x20 || b == 0x09;
}

@inline function isDigit(b: u32): bool {
  return b - 0x30 <= 9;
}

@inline function lower(b: u32): u32 {
  return b - 0x41 <= 25 ? b | 0x20 : b;
}

function classify(start: usize, end: usize): u8 {
  while (start < end && isBlank(load<u8>(start))) start++;
  while (end > start && isBlank(load<u8>(end - 1))) end--;
  const len = <i32>(end - start);
  if (len == 0) return MISSING;
  const c0: u32 = load<u8>(start);
  if (isDigit(c0) || c0 == 0x2d || c0 == 0x2b || c0 == 0x2e) {
    if (len >= 10 && isDigit(c0)) {
      const sep: u32 = load<u8>(start + 4);
      if (sep == 0x2d || sep == 0x2f) return parseTemporal(start, end, sep);
    }
    return parseNumber(start, end);
  }
  if (len <= 5) return classifyWord(start, len);
  return STRING;
}

function classifyWord(s: usize, len: i32): u8 {
  if (len < 2) return STRING;
  const a = lower(load<u8>(s));
  const b = lower(load<u8>(s + 1));
  if (len == 2) {
    if (a == 0x6e && b == 0x61) return MISSING; // na
    if (a == 0x6e && b == 0x6f) {
      value = 0;
      return BOOLEAN; // no
    }
    return STRING;
  }
  const c = lower(load<u8>(s + 2));
  if (len == 3) {
    if (a == 0x79 && b == 0x65 && c == 0x73) {
      value = 1;
      return BOOLEAN; // yes
    }
    if (a == 0x6e && b == 0x61 && c == 0x6e) return MISSING; // nan
    if (a == 0x6e && b == 0x2f && c == 0x61) return MISSING; // n/a
    return STRING;
  }
  const d = lower(load<u8>(s + 3));
  if (len == 4) {
    if (a == 0x74 && b == 0x72 && c == 0x75 && d == 0x65) {
      value = 1;
      return BOOLEAN; // true
    }
    if (a == 0x6e && b == 0x75 && c == 0x6c && d == 0x6c) return MISSING; // null
    if (a == 0x6e && b == 0x6f && c == 0x6e && d == 0x65) return MISSING; // none
    return STRING;
  }
  const e = lower(load<u8>(s + 4));
  if (a == 0x66 && b == 0x61 && c == 0x6c && d == 0x73 && e == 0x65) {
    value = 0;
    return BOOLEAN; // false
  }
  return STRING;
}

@inline function parseNumber(start: usize, end: usize): u8 {
  let i = start;
  let negative = false;
  let plus = false;
  const c0: u32 = load<u8>(i);
  if (c0 == 0x2d || c0 == 0x2b) {
    negative = c0 == 0x2d;
    plus = !negative;
    i++;
  }
  // A leading zero followed by a digit (00501, 007) is a code, not a number: it stays text.
  if (i + 1 < end && load<u8>(i) == 0x30 && isDigit(load<u8>(i + 1))) return STRING;
  let mantissa: u64 = 0;
  let digits = 0;
  let fractionDigits = 0;
  let sawPoint = false;
  for (; i < end; i++) {
    const b: u32 = load<u8>(i);
    const d = b - 0x30;
    if (d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (sawPoint) fractionDigits++;
    } else if (b == 0x2e && !sawPoint) {
      sawPoint = true;
    } else {
      break;
    }
  }
  if (digits == 0) return STRING;
  if (i == end) {
    if (digits <= 15) {
      const m = <f64>mantissa;
      const v = fractionDigits == 0 ? m : m / load<f64>(POW10 + (<usize>fractionDigits << 3));
      value = negative ? -v : v;
      // As String(value) writes it: no '+', no -0, and a decimal has digits on both sides of its
      // point, no trailing zero and no exponent form (|v| ≥ 1e-6). 15 digits round-trip exactly.
      canonical = !plus && !(negative && mantissa == 0) &&
        (!sawPoint || (fractionDigits > 0 && digits > fractionDigits && load<u8>(end - 1) != 0x30 && Math.abs(v) >= 1e-6));
    } else {
      value = numberText(start, end);
    }
    return sawPoint ? DECIMAL : INTEGER;
  }
  const b: u32 = load<u8>(i);
  if (b == 0x2c && !sawPoint) return style == STYLE_PLAIN ? STRING : parseGrouped(start, end);
  if (b != 0x65 && b != 0x45) return STRING;
  i++;
  if (i < end && (load<u8>(i) == 0x2d || load<u8>(i) == 0x2b)) i++;
  const expStart = i;
  while (i < end && isDigit(load<u8>(i))) i++;
  if (i == expStart || i != end) return STRING;
  const v = numberText(start, end);
  if (!isFinite(v)) return STRING;
  value = v;
  return DECIMAL;
}

/**
 * A number written with a comma, as value-parser.ts parseGrouped: thousands separators
 * `[1-9]d{0,2}(,ddd)+[.d+]` or a decimal comma `d+,d+`, up to 15 digits, as the column's style
 * allows; "1,234" fits both and takes the style's reading.
 */
function parseGrouped(start: usize, end: usize): u8 {
  let i = start;
  let negative = false;
  const c0: u32 = load<u8>(i);
  if (c0 == 0x2d || c0 == 0x2b) {
    negative = c0 == 0x2d;
    i++;
  }
  const first = i;
  let mantissa: u64 = 0;
  while (i < end && isDigit(load<u8>(i))) {
    mantissa = mantissa * 10 + <u64>(load<u8>(i) - 0x30);
    i++;
  }
  const leadDigits = <i32>(i - first);
  if (leadDigits == 0 || i >= end || load<u8>(i) != 0x2c) return STRING;
  // Decimal comma: one comma, then digits to the end.
  let k = i + 1;
  let commaMantissa = mantissa;
  let commaDigits = 0;
  while (k < end && isDigit(load<u8>(k))) {
    commaMantissa = commaMantissa * 10 + <u64>(load<u8>(k) - 0x30);
    commaDigits++;
    k++;
  }
  const commaForm = commaDigits > 0 && k == end;
  // Thousands separators: groups of exactly three digits, then an optional fraction.
  let thousandsForm = leadDigits <= 3 && load<u8>(first) != 0x30;
  let groupMantissa = mantissa;
  let groups = 0;
  let fractionDigits = 0;
  let p = i;
  while (thousandsForm && p < end && load<u8>(p) == 0x2c) {
    if (p + 4 > end || !isDigit(load<u8>(p + 1)) || !isDigit(load<u8>(p + 2)) || !isDigit(load<u8>(p + 3))) {
      thousandsForm = false;
      break;
    }
    groupMantissa = groupMantissa * 1000 + <u64>((load<u8>(p + 1) - 0x30) * 100 + (load<u8>(p + 2) - 0x30) * 10 + (load<u8>(p + 3) - 0x30));
    groups++;
    p += 4;
  }
  if (thousandsForm && p < end && load<u8>(p) == 0x2e) {
    p++;
    while (p < end && isDigit(load<u8>(p))) {
      groupMantissa = groupMantissa * 10 + <u64>(load<u8>(p) - 0x30);
      fractionDigits++;
      p++;
    }
    if (fractionDigits == 0) thousandsForm = false;
  }
  if (p != end) thousandsForm = false;
  let thousands: bool;
  if (thousandsForm && commaForm) thousands = style == STYLE_THOUSANDS || style == STYLE_EITHER_THOUSANDS;
  else if (thousandsForm) thousands = true;
  else if (commaForm) thousands = false;
  else return STRING;
  if (thousands ? style == STYLE_DECIMAL_COMMA : style == STYLE_THOUSANDS) return STRING;
  const digits = thousands ? leadDigits + 3 * groups + fractionDigits : leadDigits + commaDigits;
  if (digits > 15) return STRING;
  const scale = thousands ? fractionDigits : commaDigits;
  const m = <f64>(thousands ? groupMantissa : commaMantissa);
  const v = scale == 0 ? m : m / load<f64>(POW10 + (<usize>scale << 3));
  value = negative ? -v : v;
  form = thousands ? 1 : 2;
  return scale > 0 ? DECIMAL : INTEGER;
}

@inline function digit2(i: usize): i32 {
  const a = <i32>load<u8>(i) - 0x30;
  const b = <i32>load<u8>(i + 1) - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil), in integers:
 * years 0–9999 keep every step small, so each division is exact floor division (as Math.floor
 * of the quotient in value-parser.ts), with no floating-point division on the way.
 */
function daysFromCivil(y: i32, m: i32, d: i32): f64 {
  y -= m <= 2 ? 1 : 0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return <f64>(era * 146097 + doe - 719468);
}

function parseTemporal(s: usize, end: usize, sep: u32): u8 {
  const y1 = digit2(s);
  const y2 = digit2(s + 2);
  const month = digit2(s + 5);
  const day = digit2(s + 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || <u32>load<u8>(s + 7) != sep) return STRING;
  const year = y1 * 100 + y2;
  if (day > <i32>load<u8>(DAYS_IN_MONTH + <usize>(month - 1))) return STRING;
  if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) return STRING;
  const dayMs = (daysFromCivil(year, month, 1) + <f64>day - 1) * MS_PER_DAY;
  if (end - s == 10) {
    value = dayMs;
    return DATE;
  }
  const t: u32 = load<u8>(s + 10);
  if ((t != 0x54 && t != 0x20) || end - s < 16) return STRING;
  const hour = digit2(s + 11);
  const minute = digit2(s + 14);
  if (hour < 0 || hour > 23 || load<u8>(s + 13) != 0x3a || minute < 0 || minute > 59) return STRING;
  let ms: f64 = <f64>(hour * 3_600_000 + minute * 60_000);
  let i = s + 16;
  if (i < end && load<u8>(i) == 0x3a) {
    const second = digit2(i + 1);
    if (second < 0 || second > 60) return STRING;
    ms += <f64>(second * 1000);
    i += 3;
    if (i < end && load<u8>(i) == 0x2e) {
      i++;
      let scale: f64 = 100;
      const fracStart = i;
      while (i < end && isDigit(load<u8>(i))) {
        ms += <f64>(<i32>load<u8>(i) - 0x30) * scale;
        scale /= 10;
        i++;
      }
      if (i == fracStart) return STRING;
    }
  }
  if (i < end) {
    const z: u32 = load<u8>(i);
    if (z == 0x5a || z == 0x7a) {
      i++;
    } else if (z == 0x2b || z == 0x2d) {
      const oh = digit2(i + 1);
      let j = i + 3;
      if (load<u8>(j) == 0x3a) j++;
      const om = digit2(j);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return STRING;
      const offset = <f64>((oh * 60 + om) * 60_000);
      ms += z == 0x2b ? -offset : offset;
      i = j + 2;
    }
  }
  if (i != end) return STRING;
  value = dayMs + ms;
  return DATETIME;
}

@inline function mix32(h: u32): i32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return <i32>h;
}

/** As hashNumber in hashing.ts: by value, integers that fit 32 bits on a short path. */
@inline function hashNumber(v: f64): i32 {
  // In range first: JavaScript's `v | 0` wraps, WebAssembly's conversion would trap.
  if (v >= -2147483648 && v < 2147483648) {
    const iv = <i32>v;
    if (<f64>iv == v) return mix32(<u32>(iv * <i32>0x9e3779b1) ^ 0x7f4a7c15);
  }
  const bits = reinterpret<u64>(v);
  return mix32(<u32>bits ^ <u32>mix32(<u32>(bits >>> 32) + 0x9e3779b9));
}

// Characters of the text last hashed (UTF-8 bytes other than continuation bytes).
let chars: i32 = 0;

/** As hashText in hashing.ts: MurmurHash3 (x86, 32-bit) of the bytes, four at a time. */
function hashText(start: usize, end: usize): i32 {
  let h: u32 = 0x2f1c7a35;
  let continuation: u32 = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = load<u32>(i);
    const c = w & ~(w << 1) & 0x80808080;
    continuation += ((c >>> 7) * 0x01010101) >>> 24;
    let k = w * 0xcc9e2d51;
    k = rotl<u32>(k, 15) * 0x1b873593;
    h ^= k;
    h = rotl<u32>(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  // The last 0–3 bytes as one little-endian word, masked (the bytes after them are readable:
  // OVER_READ in cell-kernel.ts), so that no branch depends on their count. With none left, k
  // is 0 and mixes nothing in, as when the tail is skipped.
  const rest = <u32>(end - i);
  const k0 = load<u32>(i) & <u32>((<u64>1 << (<u64>rest << 3)) - 1);
  const c0 = k0 & ~(k0 << 1) & 0x80808080;
  continuation += popcnt<u32>(c0);
  h ^= rotl<u32>(k0 * 0xcc9e2d51, 15) * 0x1b873593;
  chars = <i32>(end - start) - <i32>continuation;
  return mix32(h ^ <u32>(end - start));
}

/**
 * Cells i = 0 … n−1 of a column: cell i is at p = at + i · stride of the starts/ends arrays and
 * spans [starts[p], ends[p]) of the buffer, copied to memory at bufBase + offset, or of the arena
 * (copied at arenaBase + offset) when its start is negative (start = −1 − offset). Writes kind
 * (kinds[i]), value (values[i]), length (lengths[i]: characters for text, bytes for numbers and
 * dates) and hash (hashes[p]: by value for numbers, with the kind for dates, by bytes for text);
 * per-kind counts (totals[0 … 6]), booleans that are true (8), a bit per kind seen (9), and the
 * shortest and longest length of the cells that are not missing (10, 11), the numbers read with
 * thousands separators (12) or a decimal comma (13) as `numberStyle` allows, and the numbers not
 * written as String(value) writes them (14) go to totals.
 *
 * The numbers go, in order, to numbers[] and the dates to dates[], and each group updates its
 * running statistics at stats (count, mean, m2, min, max: numbers at stats, dates at stats + 40)
 * as RunningStats.add does (Welford), so the results are the same to the last bit.
 */
export function cells(
  starts: usize,
  ends: usize,
  hashes: usize,
  at: i32,
  stride: i32,
  n: i32,
  bufBase: usize,
  arenaBase: usize,
  kinds: usize,
  values: usize,
  lengths: usize,
  totals: usize,
  numbers: usize,
  dates: usize,
  stats: usize,
  numberStyle: i32,
): void {
  style = numberStyle;
  let thousandsCells = 0;
  let decimalCommaCells = 0;
  let nonCanonical = 0;
  let numberAt: usize = numbers;
  let dateAt: usize = dates;
  let count0 = 0, count1 = 0, count2 = 0, count3 = 0, count4 = 0, count5 = 0, count6 = 0;
  let booleanTrue = 0;
  let seen: u32 = 0;
  let minLength: i32 = i32.MAX_VALUE;
  let maxLength: i32 = 0;
  // Running statistics of the numbers and of the dates (Welford), updated as each arrives: the
  // divisions of one cell's update overlap the next cells' parsing, where a loop of updates
  // after the cells would wait on each division in turn.
  let numberCount = load<f64>(stats);
  let numberMean = load<f64>(stats, 8);
  let numberM2 = load<f64>(stats, 16);
  let numberMin = load<f64>(stats, 24);
  let numberMax = load<f64>(stats, 32);
  let dateCount = load<f64>(stats, 40);
  let dateMean = load<f64>(stats, 48);
  let dateM2 = load<f64>(stats, 56);
  let dateMin = load<f64>(stats, 64);
  let dateMax = load<f64>(stats, 72);
  let p = at;
  for (let i = 0; i < n; i++, p += stride) {
    const off = <usize>p << 2;
    const s = load<i32>(starts + off);
    const e = load<i32>(ends + off);
    let base = bufBase;
    let start: i32 = s;
    if (s < 0) {
      start = -1 - s;
      base = arenaBase;
    }
    const a = base + <usize>start;
    const z = base + <usize>e;
    let kind: u8;
    value = 0;
    form = 0;
    canonical = false;
    if (e > start) {
      const first: u32 = load<u8>(a);
      const last: u32 = load<u8>(z - 1);
      kind = e - start < 10 && isDigit(first) && isDigit(last) ? parseNumber(a, z) : classify(a, z);
    } else {
      kind = MISSING;
    }
    let hash: i32;
    let length: i32 = e - start;
    if (kind == MISSING) {
      hash = MISSING_HASH;
      count0++;
    } else if (kind == INTEGER || kind == DECIMAL) {
      const x = value;
      hash = hashNumber(x);
      if (kind == INTEGER) count1++;
      else count2++;
      if (form == 1) thousandsCells++;
      else if (form == 2) decimalCommaCells++;
      // Not as String(value) writes it: with a comma, spaces around it, a sign or form of its own.
      if (!canonical || isBlank(load<u8>(a)) || isBlank(load<u8>(z - 1))) nonCanonical++;
      store<f64>(numberAt, x);
      numberAt += 8;
      // As RunningStats.add does it: the same operations in the same order, so the same bits.
      numberCount += 1;
      const delta = x - numberMean;
      numberMean += delta / numberCount;
      numberM2 += delta * (x - numberMean);
      if (x < numberMin) numberMin = x;
      if (x > numberMax) numberMax = x;
    } else if (kind == DATE || kind == DATETIME) {
      const x = value;
      hash = hashNumber(x) ^ <i32>kind;
      if (kind == DATE) count4++;
      else count5++;
      store<f64>(dateAt, x);
      dateAt += 8;
      dateCount += 1;
      const delta = x - dateMean;
      dateMean += delta / dateCount;
      dateM2 += delta * (x - dateMean);
      if (x < dateMin) dateMin = x;
      if (x > dateMax) dateMax = x;
    } else {
      hash = hashText(a, z);
      length = chars;
      if (kind == BOOLEAN) {
        count3++;
        booleanTrue += <i32>value;
      } else {
        count6++;
      }
    }
    seen |= 1 << kind;
    if (kind != MISSING) {
      if (length < minLength) minLength = length;
      if (length > maxLength) maxLength = length;
    }
    store<u8>(kinds + <usize>i, kind);
    store<f64>(values + (<usize>i << 3), value);
    store<i32>(lengths + (<usize>i << 2), length);
    store<i32>(hashes + off, hash);
  }
  store<i32>(totals, count0);
  store<i32>(totals + 4, count1);
  store<i32>(totals + 8, count2);
  store<i32>(totals + 12, count3);
  store<i32>(totals + 16, count4);
  store<i32>(totals + 20, count5);
  store<i32>(totals + 24, count6);
  store<i32>(totals + 32, booleanTrue);
  store<i32>(totals + 36, <i32>seen);
  store<i32>(totals + 40, minLength);
  store<i32>(totals + 44, maxLength);
  store<i32>(totals + 48, thousandsCells);
  store<i32>(totals + 52, decimalCommaCells);
  store<i32>(totals + 56, nonCanonical);
  store<f64>(stats, numberCount);
  store<f64>(stats, numberMean, 8);
  store<f64>(stats, numberM2, 16);
  store<f64>(stats, numberMin, 24);
  store<f64>(stats, numberMax, 32);
  store<f64>(stats, dateCount, 40);
  store<f64>(stats, dateMean, 48);
  store<f64>(stats, dateM2, 56);
  store<f64>(stats, dateMin, 64);
  store<f64>(stats, dateMax, 72);
}

/**
 * Two independent 32-bit hashes per row of a batch (row-major, `width` cells a row), from its
 * cells' hashes in column order, to h1[r] and h2[r]: as the duplicate-row counter wants them.
 */
export function rowHashes(hashes: usize, rows: i32, width: i32, h1: usize, h2: usize): void {
  let at = hashes;
  for (let r = 0; r < rows; r++) {
    let a: u32 = 0x12345678;
    let b: u32 = 0x3c6ef372;
    const end = at + (<usize>width << 2);
    for (; at < end; at += 4) {
      const h = load<u32>(at);
      a = (a ^ h) * 0x01000193;
      b = ((b + h) * 0x5bd1e995) ^ (b >>> 15);
    }
    store<i32>(h1 + (<usize>r << 2), <i32>a);
    store<i32>(h2 + (<usize>r << 2), <i32>b);
  }
}

/**
 * Skips the bytes from i that are neither a delimiter nor LF (nor CR, with `cr`): sixteen at a
 * time (WebAssembly SIMD: a compare per kind of byte, one bit mask) while sixteen are left before
 * `stop`, then four at a time; returns where the first such byte is, or where fewer than four
 * bytes are left. Most fields are shorter than sixteen bytes, so the first step finds their end,
 * and the loop's exit does not depend on the field's length (the four-byte loop's exit, taken
 * after one or two words, was mispredicted about every other field). The lowest flagged byte of
 * `(x - 0x01010101) & ~x & 0x80808080` is exactly the first zero byte of x.
 */
@inline function skipPlain(data: usize, i: i32, stop: i32, delimiters: u32, cr: bool): i32 {
  const delimiter = i8x16.splat(<i8>delimiters);
  const lf = i8x16.splat(0x0a);
  const cr16 = i8x16.splat(0x0d);
  while (i + 16 <= stop) {
    const w = v128.load(data + <usize>i);
    let hit = v128.or(i8x16.eq(w, delimiter), i8x16.eq(w, lf));
    if (cr) hit = v128.or(hit, i8x16.eq(w, cr16));
    const bits = i8x16.bitmask(hit);
    if (bits != 0) return i + ctz(bits);
    i += 16;
  }
  while (i + 4 <= stop) {
    const w = load<u32>(data + <usize>i);
    const d = w ^ delimiters;
    const l = w ^ 0x0a0a0a0a;
    let found = ((d - 0x01010101) & ~d) | ((l - 0x01010101) & ~l);
    if (cr) {
      const c = w ^ 0x0d0d0d0d;
      found |= (c - 0x01010101) & ~c;
    }
    found &= 0x80808080;
    if (found != 0) return i + <i32>(ctz(found) >> 3);
    i += 4;
  }
  return i;
}

/** The first quote from q on, sixteen bytes at a time while sixteen are left before `stop`; `stop` when there is none. */
@inline function findQuote(data: usize, q: i32, stop: i32): i32 {
  const quote = i8x16.splat(0x22);
  while (q + 16 <= stop) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(data + <usize>q), quote));
    if (bits != 0) return q + ctz(bits);
    q += 16;
  }
  while (q < stop && load<u8>(data + <usize>q) != 0x22) q++;
  return q;
}

/**
 * The CSV scanner's fast path (csv-scanner.ts), for the common records: from `pos`, records
 * whose line ends (LF or CRLF) before `stop`, with exactly `width` fields, no longer than
 * `maxRecord` bytes, and whose quoted fields close right before a delimiter or the line end.
 * Their fields' offsets (relative to `data`; a quoted field without its quotes) go to
 * starts/ends from row `base` on, `width` a row, up to `maxRows` rows. A quoted field with
 * doubled quotes is taken as it stands, and its cell (row × width + field, from `base`) goes to
 * `escapeList` (up to `maxEscapes` of them), for JavaScript to undo the doubling. Stops at the
 * first record that is not such a record (a blank line, a ragged row, a malformed quote, a lone
 * CR, a record too long, a full list), leaving it to JavaScript. `cr`: whether the data ahead
 * holds a CR at all (the word scan then looks for it too). Returns the rows scanned; the
 * position after them goes to out[0], the cells listed to out[1].
 */
export function scanLines(
  data: usize,
  pos: i32,
  stop: i32,
  delimiter: u32,
  starts: usize,
  ends: usize,
  base: i32,
  width: i32,
  maxRows: i32,
  maxRecord: i32,
  cr: bool,
  out: usize,
  escapeList: usize,
  maxEscapes: i32,
): i32 {
  const delimiters: u32 = delimiter * 0x01010101;
  let rows = 0;
  let row: usize = <usize>base << 2;
  let escapes = 0;
  while (rows < maxRows) {
    const recordStart = pos;
    // A record left to JavaScript takes its doubled-quote fields off the list.
    const escapesBefore = escapes;
    let fields = 0;
    let i = pos;
    let lineEnd = -1;
    let ok = true;
    let blank = false;
    // One field per turn: [fieldStart, fieldEnd), then i is at the delimiter, LF or CR after it.
    for (;;) {
      let fieldStart = i;
      let fieldEnd: i32;
      if (i < stop && load<u8>(data + <usize>i) == 0x22) {
        // Quoted: up to the quote that closes the field, right before a delimiter or the line
        // end; a doubled quote inside is one quote of the text (JavaScript undoes them).
        let q = i + 1;
        let doubled = false;
        let after: u32 = 0;
        for (;;) {
          q = findQuote(data, q, stop);
          if (q + 1 >= stop) break;
          after = load<u8>(data + <usize>(q + 1));
          if (after != 0x22) break;
          doubled = true;
          q += 2;
        }
        if (q + 1 >= stop || (after != delimiter && after != 0x0a && after != 0x0d)) {
          ok = false;
          break;
        }
        if (doubled) {
          // The list is full: the record is left to JavaScript.
          if (escapes == maxEscapes) {
            ok = false;
            break;
          }
          store<i32>(escapeList + (<usize>escapes << 2), <i32>(row >> 2) + fields);
          escapes++;
        }
        fieldStart = i + 1;
        fieldEnd = q;
        i = q + 1;
      } else {
        i = cr ? skipPlain(data, i, stop, delimiters, true) : skipPlain(data, i, stop, delimiters, false);
        // The last few bytes one at a time (or, after a word with a hit, that one byte).
        for (; i < stop; i++) {
          const b: u32 = load<u8>(data + <usize>i);
          if (b == delimiter || b == 0x0a || b == 0x0d) break;
        }
        if (i >= stop) {
          ok = false;
          break;
        }
        fieldEnd = i;
        blank = fieldStart == fieldEnd;
      }
      if (fields == width) {
        ok = false;
        break;
      }
      const at = row + (<usize>fields << 2);
      store<i32>(starts + at, fieldStart);
      store<i32>(ends + at, fieldEnd);
      fields++;
      const b: u32 = load<u8>(data + <usize>i);
      if (b == 0x0a) {
        lineEnd = i;
        break;
      }
      if (b == 0x0d) {
        // CRLF ends the line; a lone CR (a line end too, for the JavaScript scanner) is left to it.
        if (i + 1 < stop && load<u8>(data + <usize>(i + 1)) == 0x0a) lineEnd = i + 1;
        else ok = false;
        break;
      }
      i++;
    }
    // A blank line is not a record; a record longer than maxRecord is an error: both JavaScript's.
    if (!ok || fields != width || (width == 1 && blank) || lineEnd + 1 - recordStart > maxRecord) {
      escapes = escapesBefore;
      break;
    }
    pos = lineEnd + 1;
    row += <usize>width << 2;
    rows++;
  }
  store<i32>(out, pos);
  store<i32>(out, escapes, 4);
  return rows;
}

// The exact distinct-value table of a column (ExactValues in exact-values.ts): value → count,
// held in this memory, so that a whole column of a batch is counted in one call. Its header, at
// `table` (eight i32): the slots' address, their mask, the entries' address, entries held,
// entries room, the keys' address, key bytes held, key bytes room. A slot holds 0 or entry + 1;
// an entry is 16 bytes: the cell's hash, its count, its key's offset and the key's length; a key
// is the kind tag (0 text, 1 number, 2 date: KEY_TEXT… in exact-values.ts), then the value's bytes.

// Tables with at least this many slots (128 KiB of them) are warmed a group of cells at a time.
const WARM_SLOTS: u32 = 32767;
const WARM_GROUP: i32 = 32;
const WARM_GROUP_MAX: i32 = 64;
const WARM_AT = memory.data(WARM_GROUP_MAX * 4);
// Keeps the warming loads (their sum is stored, so they are not optimised away).
let warmSink: u32 = 0;

// The slot where the last `findEntry` stopped: the value's, or the free one it may take.
let slotAt: usize = 0;

/**
 * Bytes [a, a + n) and [b, b + n) are equal. Up to 16 bytes (most values) without a branch on
 * their length, two words each masked to it, since a branch per length mispredicts on a column
 * of mixed values; the 8 bytes after each are readable (the batch's bytes are reserved with 8
 * to spare; a key is followed by more heap or by them).
 */
@inline function sameBytes(a: usize, b: usize, n: i32): bool {
  if (n <= 16) {
    const low = <u64>n << 3;
    const lowMask = select<u64>(u64.MAX_VALUE, (<u64>1 << low) - 1, n >= 8);
    const highMask = select<u64>(u64.MAX_VALUE, select<u64>(0, (<u64>1 << (low - 64)) - 1, n <= 8), n >= 16);
    return (((load<u64>(a) ^ load<u64>(b)) & lowMask) | ((load<u64>(a, 8) ^ load<u64>(b, 8)) & highMask)) == 0;
  }
  let k: i32 = 0;
  for (; k + 8 <= n; k += 8) if (load<u64>(a + <usize>k) != load<u64>(b + <usize>k)) return false;
  for (; k < n; k++) if (load<u8>(a + <usize>k) != load<u8>(b + <usize>k)) return false;
  return true;
}

/**
 * The entry (its address) holding the value `tag` + bytes [a, a + n) with this hash, or 0 when
 * there is none; `slotAt` is then the free slot where it goes (linear probing, as the JavaScript
 * table did: the hash's low bits first).
 */
@inline function findEntry(slots: usize, mask: u32, entries: usize, keys: usize, hash: i32, tag: u32, a: usize, n: i32): usize {
  let slot = <u32>hash & mask;
  let at = slots + (<usize>slot << 2);
  let e = load<i32>(at);
  while (e != 0) {
    const entry = entries + (<usize>(e - 1) << 4);
    if (load<i32>(entry) == hash && load<i32>(entry, 12) == n + 1) {
      const key = keys + <usize>load<i32>(entry, 8);
      if (<u32>load<u8>(key) == tag && sameBytes(key + 1, a, n)) {
        slotAt = at;
        return entry;
      }
    }
    slot = (slot + 1) & mask;
    at = slots + (<usize>slot << 2);
    e = load<i32>(at);
  }
  slotAt = at;
  return 0;
}

/**
 * Puts a new value in the free slot `slotAt` when the entries and the keys have room for it;
 * returns false (nothing changed) when they have not.
 */
@inline function newEntry(table: usize, hash: i32, tag: u32, a: usize, n: i32, count: i32): bool {
  const size = load<i32>(table, 12);
  const used = load<i32>(table, 24);
  if (size == load<i32>(table, 16) || used + n + 1 > load<i32>(table, 28)) return false;
  const key = <usize>load<u32>(table, 20) + <usize>used;
  store<u8>(key, <u8>tag);
  memory.copy(key + 1, a, <usize>n);
  const entry = <usize>load<u32>(table, 8) + (<usize>size << 4);
  store<i32>(entry, hash);
  store<i32>(entry, count, 4);
  store<i32>(entry, used, 8);
  store<i32>(entry, n + 1, 12);
  store<i32>(slotAt, size + 1);
  store<i32>(table, size + 1, 12);
  store<i32>(table, used + n + 1, 24);
  return true;
}

/** The key tag of a cell kind: numbers 1, dates 2, the rest (text, booleans) 0. */
@inline function keyTag(kind: u8): u32 {
  return kind == INTEGER || kind == DECIMAL ? 1 : kind == DATE || kind == DATETIME ? 2 : 0;
}

/**
 * Counts cells i = from … n−1 of a column (as `cells` lays them out, with the kinds it wrote)
 * in the table at `table`, skipping missing ones. Returns n, or the first cell that is new and
 * finds the entries or the keys full: JavaScript grows them (within the memory budget) and calls
 * again from there.
 */
export function exactCells(
  table: usize,
  starts: usize,
  ends: usize,
  hashes: usize,
  kinds: usize,
  at: i32,
  stride: i32,
  from: i32,
  n: i32,
  bufBase: usize,
  arenaBase: usize,
): i32 {
  const slots = <usize>load<u32>(table);
  const mask = load<u32>(table, 4);
  const entries = <usize>load<u32>(table, 8);
  const keys = <usize>load<u32>(table, 20);
  // A large table is mostly out of the caches by the column's next batch, and each value costs
  // three misses in a row (slot, entry, key): a first pass over a group of cells touches them
  // with nothing depending on one another, so the misses overlap; the counting pass then finds
  // them cached.
  const warm = mask >= WARM_SLOTS;
  let touched: u32 = 0;
  let p = at + from * stride;
  for (let g = from; g < n; ) {
    const m = min(g + WARM_GROUP, n);
    if (warm) {
      // Three passes, each of loads independent of one another: the slots, their entries, their keys.
      for (let i = g, q = p; i < m; i++, q += stride) {
        store<i32>(WARM_AT + (<usize>(i - g) << 2), load<i32>(slots + (<usize>(<u32>load<i32>(hashes + (<usize>q << 2)) & mask) << 2)));
      }
      for (let k: usize = 0, end = <usize>(m - g) << 2; k < end; k += 4) {
        const e = load<i32>(WARM_AT + k);
        // Entry 0's place when the slot is empty: the loads stay in the table.
        store<i32>(WARM_AT + k, load<i32>(entries + (<usize>select<i32>(e - 1, 0, e != 0) << 4), 8));
      }
      for (let k: usize = 0, end = <usize>(m - g) << 2; k < end; k += 4) touched += load<u8>(keys + <usize>load<i32>(WARM_AT + k));
    }
    for (let i = g; i < m; i++, p += stride) {
      const kind = load<u8>(kinds + <usize>i);
      if (kind == MISSING) continue;
      const tag = keyTag(kind);
      const off = <usize>p << 2;
      const s = load<i32>(starts + off);
      const e = load<i32>(ends + off);
      const hash = load<i32>(hashes + off);
      let a: usize;
      let len: i32;
      if (s >= 0) {
        a = bufBase + <usize>s;
        len = e - s;
      } else {
        a = arenaBase + <usize>(-1 - s);
        len = e + 1 + s;
      }
      const entry = findEntry(slots, mask, entries, keys, hash, tag, a, len);
      if (entry != 0) store<i32>(entry, load<i32>(entry, 4) + 1, 4);
      else if (!newEntry(table, hash, tag, a, len, 1)) {
        warmSink = touched;
        return i;
      }
    }
    g = m;
  }
  warmSink = touched;
  return n;
}

/**
 * Adds `count` to the value `tag` + bytes [a, a + n) with this hash in the table at `table`.
 * Returns false (nothing counted) when it is new and the entries or the keys are full.
 */
export function exactAdd(table: usize, hash: i32, tag: u32, a: usize, n: i32, count: i32): bool {
  const entry = findEntry(<usize>load<u32>(table), load<u32>(table, 4), <usize>load<u32>(table, 8), <usize>load<u32>(table, 20), hash, tag, a, n);
  if (entry != 0) {
    store<i32>(entry, load<i32>(entry, 4) + count, 4);
    return true;
  }
  return newEntry(table, hash, tag, a, n, count);
}

/** Fills the table's slots (zeroed, `mask` + 1 of them) from its entries, after they grew. */
export function exactRehash(table: usize): void {
  const slots = <usize>load<u32>(table);
  const mask = load<u32>(table, 4);
  const entries = <usize>load<u32>(table, 8);
  const size = load<i32>(table, 12);
  for (let e = 0; e < size; e++) {
    let slot = <u32>load<i32>(entries + (<usize>e << 4)) & mask;
    while (load<i32>(slots + (<usize>slot << 2)) != 0) slot = (slot + 1) & mask;
    store<i32>(slots + (<usize>slot << 2), e + 1);
  }
}
