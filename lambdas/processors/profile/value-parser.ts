/**
 * Classifies one cell from its raw bytes, without building a string on the common paths.
 * Results travel through `parsed` (a module-level record) rather than a returned object, so the
 * hot loop allocates nothing.
 *
 * The profile's batches are classified by the cell kernel (assembly/cells.ts), which mirrors
 * this file; a property test holds the two to the same kind and value for every cell. This
 * JavaScript classifies the header row and is the readable definition: change both together.
 */
export const enum ValueKind {
  Missing = 0,
  Integer = 1,
  Decimal = 2,
  Boolean = 3,
  Date = 4,
  DateTime = 5,
  String = 6,
}

/**
 * Which numbers written with a comma a column reads as numbers: none (JSON has its own numbers),
 * thousands separators (`1,234.50`), a decimal comma (`1,5`), or either while the column has not
 * shown which (then `1,234`, which fits both, takes the reading named: thousands, or a decimal
 * comma in a semicolon-separated file). Once a column reads one form it keeps that style and the
 * other form is text there.
 */
export const enum NumberStyle {
  Plain = 0,
  Thousands = 1,
  DecimalComma = 2,
  EitherThousands = 3,
  EitherDecimalComma = 4,
}

/** Last classification: numeric value (number, epoch ms, or 1/0 for booleans). */
export const parsed = { value: 0 };

const POW10: number[] = [];
for (let i = 0; i <= 22; i++) POW10.push(10 ** i);

const SPACE = 0x20;
const TAB = 0x09;

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB;
}

/** Lower-cases an ASCII letter byte. */
function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

const latin1 = new TextDecoder('latin1');

export function classify(buf: Uint8Array, start: number, end: number, style: NumberStyle = NumberStyle.Plain): ValueKind {
  while (start < end && isBlank(buf[start] as number)) start++;
  while (end > start && isBlank(buf[end - 1] as number)) end--;
  const len = end - start;
  if (len === 0) return ValueKind.Missing;
  const c0 = buf[start] as number;
  if ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2d || c0 === 0x2b || c0 === 0x2e) {
    if (len >= 10 && c0 >= 0x30 && c0 <= 0x39) {
      const sep = buf[start + 4] as number;
      if (sep === 0x2d || sep === 0x2f) {
        const kind = parseTemporal(buf, start, end, sep);
        if (kind !== ValueKind.String) return kind;
        return ValueKind.String;
      }
    }
    return parseNumber(buf, start, end, style);
  }
  if (len <= 5) return classifyWord(buf, start, len);
  return ValueKind.String;
}

/** Booleans and the tokens spreadsheets and databases write for "no value". */
function classifyWord(buf: Uint8Array, s: number, len: number): ValueKind {
  // One letter is never a token (and the checks below would read past the cell).
  if (len < 2) return ValueKind.String;
  const a = lower(buf[s] as number);
  const b = lower(buf[s + 1] as number);
  if (len === 2) {
    if (a === 0x6e && b === 0x61) return ValueKind.Missing; // na
    if (a === 0x6e && b === 0x6f) {
      parsed.value = 0;
      return ValueKind.Boolean; // no
    }
    return ValueKind.String;
  }
  const c = lower(buf[s + 2] as number);
  if (len === 3) {
    if (a === 0x79 && b === 0x65 && c === 0x73) {
      parsed.value = 1;
      return ValueKind.Boolean; // yes
    }
    if (a === 0x6e && b === 0x61 && c === 0x6e) return ValueKind.Missing; // nan
    if (a === 0x6e && b === 0x2f && c === 0x61) return ValueKind.Missing; // n/a
    return ValueKind.String;
  }
  const d = lower(buf[s + 3] as number);
  if (len === 4) {
    if (a === 0x74 && b === 0x72 && c === 0x75 && d === 0x65) {
      parsed.value = 1;
      return ValueKind.Boolean; // true
    }
    if (a === 0x6e && b === 0x75 && c === 0x6c && d === 0x6c) return ValueKind.Missing; // null
    if (a === 0x6e && b === 0x6f && c === 0x6e && d === 0x65) return ValueKind.Missing; // none
    return ValueKind.String;
  }
  const e = lower(buf[s + 4] as number);
  if (a === 0x66 && b === 0x61 && c === 0x6c && d === 0x73 && e === 0x65) {
    parsed.value = 0;
    return ValueKind.Boolean; // false
  }
  return ValueKind.String;
}

/**
 * Decimal numbers: [+-] digits [. digits] [e[+-]digits]. Up to 15 significant digits without an
 * exponent are computed as m / 10^d, which IEEE division rounds exactly as `Number()` would
 * (both operands are exact doubles); anything else goes through `Number()`.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number, style: NumberStyle = NumberStyle.Plain): ValueKind {
  let i = start;
  let negative = false;
  const c0 = buf[i] as number;
  if (c0 === 0x2d || c0 === 0x2b) {
    negative = c0 === 0x2d;
    i++;
  }
  // A leading zero followed by a digit (00501, 007) is a code, not a number: it stays text.
  if (i + 1 < end && buf[i] === 0x30 && (buf[i + 1] as number) >= 0x30 && (buf[i + 1] as number) <= 0x39) return ValueKind.String;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let sawPoint = false;
  for (; i < end; i++) {
    const b = buf[i] as number;
    const d = b - 0x30;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (sawPoint) fractionDigits++;
    } else if (b === 0x2e && !sawPoint) {
      sawPoint = true;
    } else {
      break;
    }
  }
  if (digits === 0) return ValueKind.String;
  if (i === end) {
    if (digits <= 15) {
      const v = fractionDigits === 0 ? mantissa : mantissa / (POW10[fractionDigits] as number);
      parsed.value = negative ? -v : v;
    } else {
      parsed.value = Number(latin1.decode(buf.subarray(start, end)));
    }
    return sawPoint ? ValueKind.Decimal : ValueKind.Integer;
  }
  const b = buf[i] as number;
  if (b === 0x2c && !sawPoint) return style === NumberStyle.Plain ? ValueKind.String : parseGrouped(buf, start, end, style);
  if (b !== 0x65 && b !== 0x45) return ValueKind.String;
  i++;
  if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) i++;
  const expStart = i;
  while (i < end && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) i++;
  if (i === expStart || i !== end) return ValueKind.String;
  const v = Number(latin1.decode(buf.subarray(start, end)));
  if (!Number.isFinite(v)) return ValueKind.String;
  parsed.value = v;
  return ValueKind.Decimal;
}

const isDigitByte = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;

/**
 * A number written with a comma: thousands separators `[1-9]d{0,2}(,ddd)+[.d+]` or a decimal
 * comma `d+,d+`, up to 15 digits (computed as m / 10^d, exact), as `style` allows. "1,234" fits
 * both and takes the style's reading.
 */
function parseGrouped(buf: Uint8Array, start: number, end: number, style: NumberStyle): ValueKind {
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d || buf[i] === 0x2b) {
    negative = buf[i] === 0x2d;
    i++;
  }
  const first = i;
  let mantissa = 0;
  while (i < end && isDigitByte(buf[i])) mantissa = mantissa * 10 + ((buf[i++] as number) - 0x30);
  const leadDigits = i - first;
  if (leadDigits === 0 || i >= end || buf[i] !== 0x2c) return ValueKind.String;
  let k = i + 1;
  let commaMantissa = mantissa;
  let commaDigits = 0;
  while (k < end && isDigitByte(buf[k])) {
    commaMantissa = commaMantissa * 10 + ((buf[k++] as number) - 0x30);
    commaDigits++;
  }
  const commaForm = commaDigits > 0 && k === end;
  let thousandsForm = leadDigits <= 3 && buf[first] !== 0x30;
  let groupMantissa = mantissa;
  let groups = 0;
  let fractionDigits = 0;
  let p = i;
  while (thousandsForm && p < end && buf[p] === 0x2c) {
    if (p + 4 > end || !isDigitByte(buf[p + 1]) || !isDigitByte(buf[p + 2]) || !isDigitByte(buf[p + 3])) {
      thousandsForm = false;
      break;
    }
    groupMantissa = groupMantissa * 1000 + ((buf[p + 1] as number) - 0x30) * 100 + ((buf[p + 2] as number) - 0x30) * 10 + ((buf[p + 3] as number) - 0x30);
    groups++;
    p += 4;
  }
  if (thousandsForm && p < end && buf[p] === 0x2e) {
    p++;
    while (p < end && isDigitByte(buf[p])) {
      groupMantissa = groupMantissa * 10 + ((buf[p++] as number) - 0x30);
      fractionDigits++;
    }
    if (fractionDigits === 0) thousandsForm = false;
  }
  if (p !== end) thousandsForm = false;
  let thousands: boolean;
  if (thousandsForm && commaForm) thousands = style === NumberStyle.Thousands || style === NumberStyle.EitherThousands;
  else if (thousandsForm) thousands = true;
  else if (commaForm) thousands = false;
  else return ValueKind.String;
  if (thousands ? style === NumberStyle.DecimalComma : style === NumberStyle.Thousands) return ValueKind.String;
  const digits = thousands ? leadDigits + 3 * groups + fractionDigits : leadDigits + commaDigits;
  if (digits > 15) return ValueKind.String;
  const scale = thousands ? fractionDigits : commaDigits;
  const m = thousands ? groupMantissa : commaMantissa;
  const v = scale === 0 ? m : m / (POW10[scale] as number);
  parsed.value = negative ? -v : v;
  return scale > 0 ? ValueKind.Decimal : ValueKind.Integer;
}

function digit2(buf: Uint8Array, i: number): number {
  const a = (buf[i] as number) - 0x30;
  const b = (buf[i + 1] as number) - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MS_PER_DAY = 86_400_000;

/** Direct-mapped cache of days-from-civil for the first of a month: dates in a column cluster. */
const MONTH_KEYS = new Int32Array(1024).fill(-1);
const MONTH_DAYS = new Int32Array(1024);

function daysAtMonthStart(year: number, month: number): number {
  const key = year * 16 + month;
  const slot = key & 1023;
  if (MONTH_KEYS[slot] !== key) {
    MONTH_KEYS[slot] = key;
    MONTH_DAYS[slot] = daysFromCivil(year, month, 1);
  }
  return MONTH_DAYS[slot] as number;
}

/**
 * ISO-8601 style dates `YYYY-MM-DD` (or `YYYY/MM/DD`) and date-times
 * `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM]`; value in epoch milliseconds (UTC, or the offset
 * given). Day-first and month-first forms are ambiguous and stay strings.
 */
function parseTemporal(buf: Uint8Array, s: number, end: number, sep: number): ValueKind {
  const y1 = digit2(buf, s);
  const y2 = digit2(buf, s + 2);
  const month = digit2(buf, s + 5);
  const day = digit2(buf, s + 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || buf[s + 7] !== sep) return ValueKind.String;
  const year = y1 * 100 + y2;
  if (day > (DAYS_IN_MONTH[month - 1] as number)) return ValueKind.String;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return ValueKind.String;
  const dayMs = (daysAtMonthStart(year, month) + day - 1) * MS_PER_DAY;
  if (end - s === 10) {
    parsed.value = dayMs;
    return ValueKind.Date;
  }
  const t = buf[s + 10];
  if ((t !== 0x54 && t !== 0x20) || end - s < 16) return ValueKind.String;
  const hour = digit2(buf, s + 11);
  const minute = digit2(buf, s + 14);
  if (hour < 0 || hour > 23 || buf[s + 13] !== 0x3a || minute < 0 || minute > 59) return ValueKind.String;
  let ms = hour * 3_600_000 + minute * 60_000;
  let i = s + 16;
  if (i < end && buf[i] === 0x3a) {
    const second = digit2(buf, i + 1);
    if (second < 0 || second > 60) return ValueKind.String;
    ms += second * 1000;
    i += 3;
    if (i < end && buf[i] === 0x2e) {
      i++;
      let scale = 100;
      const fracStart = i;
      while (i < end && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) {
        ms += ((buf[i] as number) - 0x30) * scale;
        scale /= 10;
        i++;
      }
      if (i === fracStart) return ValueKind.String;
    }
  }
  if (i < end) {
    const z = buf[i];
    if (z === 0x5a || z === 0x7a) {
      i++;
    } else if (z === 0x2b || z === 0x2d) {
      const oh = digit2(buf, i + 1);
      let j = i + 3;
      if (buf[j] === 0x3a) j++;
      const om = digit2(buf, j);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return ValueKind.String;
      const offset = (oh * 60 + om) * 60_000;
      ms += z === 0x2b ? -offset : offset;
      i = j + 2;
    }
  }
  if (i !== end) return ValueKind.String;
  parsed.value = dayMs + ms;
  return ValueKind.DateTime;
}
