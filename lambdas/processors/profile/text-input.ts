import { isAscii, isUtf8 } from 'node:buffer';
import { formatByteSize } from '../../core/sizes';
import { ProcessingError } from '../processor';

/** What the byte stream turned out to be, filled in while it is read. */
export interface TextFacts {
  bytes: number;
  /** `utf-8`, `utf-8 (with BOM)` or `ascii`. */
  encoding: string;
}

/**
 * Streams the upload as validated UTF-8 chunks: counts bytes against the limit (the local S3
 * does not enforce it), strips a UTF-8 BOM, rejects binary content (NUL bytes, known binary
 * formats), UTF-16 and invalid UTF-8 with a message a customer can act on. A multi-byte
 * character split across chunks is validated once the rest of it arrives.
 */
export async function* validatedText(body: AsyncIterable<Uint8Array>, maxBytes: number, facts: TextFacts): AsyncGenerator<Uint8Array> {
  let first = true;
  let ascii = true;
  let tail: Uint8Array | undefined;
  let bom = false;
  // The first few bytes are gathered before anything else so that a BOM or a file signature cut
  // by a chunk boundary is still recognised.
  for await (const raw of withLead(body, LEAD_BYTES)) {
    if (raw.length === 0) continue;
    let chunk = raw;
    const offset = facts.bytes;
    facts.bytes += chunk.length;
    if (facts.bytes > maxBytes) {
      throw new ProcessingError('too_large', `The file is larger than the ${formatLimit(maxBytes)} limit. Please upload a smaller file.`);
    }
    if (first) {
      first = false;
      rejectKnownBinary(chunk);
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        bom = true;
        chunk = chunk.subarray(3);
      }
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      throw new ProcessingError('not_text', 'The file contains binary data, not text. Please upload a CSV, TSV or JSON Lines text file.');
    }
    // Validate up to the last complete character; the rest waits for the next chunk.
    let toCheck: Uint8Array = chunk;
    if (tail !== undefined) {
      toCheck = new Uint8Array(tail.length + chunk.length);
      toCheck.set(tail, 0);
      toCheck.set(chunk, tail.length);
    }
    const cut = completeLength(toCheck);
    const whole = toCheck.subarray(0, cut);
    if (ascii && !isAscii(whole)) ascii = false;
    // `whole` starts `tail` bytes before this chunk (and after the BOM, if it was stripped).
    if (!ascii && !isUtf8(whole)) throw invalidUtf8(offset + (raw.length - chunk.length) - (toCheck.length - chunk.length) + firstInvalid(whole));
    tail = cut < toCheck.length ? toCheck.slice(cut) : undefined;
    // Plain Uint8Array views (not Buffer): the scanner's hot loops then see one array type.
    if (chunk.length > 0) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
  }
  if (tail !== undefined) throw invalidUtf8(facts.bytes - tail.length);
  facts.encoding = bom ? 'utf-8 (with BOM)' : ascii ? 'ascii' : 'utf-8';
}

const LEAD_BYTES = 8;

/** Re-chunks the stream so that the first chunk has at least `lead` bytes (unless the file is shorter). */
async function* withLead(body: AsyncIterable<Uint8Array>, lead: number): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | undefined;
  for await (const chunk of body) {
    if (chunk.length === 0) continue;
    if (head === undefined && chunk.length >= lead) {
      head = new Uint8Array(0);
      yield chunk;
      continue;
    }
    if (head !== undefined && head.length === 0) {
      yield chunk;
      continue;
    }
    const joined = new Uint8Array((head?.length ?? 0) + chunk.length);
    if (head !== undefined) joined.set(head, 0);
    joined.set(chunk, head?.length ?? 0);
    if (joined.length >= lead) {
      head = new Uint8Array(0);
      yield joined;
    } else {
      head = joined;
    }
  }
  if (head !== undefined && head.length > 0) yield head;
}

/** Length of the prefix that ends on a character boundary (drops at most 3 trailing bytes). */
function completeLength(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = buf[n - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Index of the first byte that does not start or continue a valid UTF-8 character (the error path only). */
function firstInvalid(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    const need = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (need === 0 || i + need > buf.length) return i;
    if (!isUtf8(buf.subarray(i, i + need))) return i;
    i += need;
  }
  return i;
}

function invalidUtf8(offset: number): ProcessingError {
  return new ProcessingError(
    'invalid_encoding',
    `The file is not valid UTF-8 text (the problem is near byte ${offset.toLocaleString('en-US')}). Please save it as UTF-8 (in Excel: "CSV UTF-8") and upload it again.`,
  );
}

function rejectKnownBinary(chunk: Uint8Array): void {
  const startsWith = (...bytes: number[]): boolean => bytes.every((b, i) => chunk[i] === b);
  if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
    throw new ProcessingError('unsupported_encoding', 'The file is saved as UTF-16. Please save it as UTF-8 (in Excel: "CSV UTF-8") and upload it again.');
  }
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) {
    throw new ProcessingError('not_text', 'This looks like a ZIP archive or an Excel workbook, not a text file. Please export the sheet as CSV (UTF-8) and upload that.');
  }
  if (startsWith(0x1f, 0x8b)) {
    throw new ProcessingError('not_text', 'This file is gzip-compressed. Please decompress it and upload the CSV, TSV or JSON Lines file inside.');
  }
  if (startsWith(0x25, 0x50, 0x44, 0x46)) {
    throw new ProcessingError('not_text', 'This is a PDF document, not a data file. Please upload a CSV, TSV or JSON Lines file.');
  }
  if (startsWith(0xd0, 0xcf, 0x11, 0xe0)) {
    throw new ProcessingError('not_text', 'This looks like an old Excel (.xls) workbook. Please export the sheet as CSV (UTF-8) and upload that.');
  }
}

/** Binary multiples, as the limit is configured and the pages show it ("50 MiB"). */
export const formatLimit = formatByteSize;
