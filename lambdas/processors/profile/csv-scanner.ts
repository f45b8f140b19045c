import { Buffer } from 'node:buffer';
import { ProcessingError } from '../processor';
import { MAX_COLUMNS, MAX_RECORD_BYTES } from './limits';

/**
 * Where the scanner writes a record's fields: field i spans [starts[base + i], ends[base + i])
 * of the scanned buffer; `escaped[base + i]` is 1 when it was quoted and contains doubled quotes
 * still to be undone. Room for MAX_COLUMNS + 1 fields from `base`. The sink owns the arrays, so
 * the fields land where it keeps them (no copy per record).
 */
export interface FieldTarget {
  starts: Int32Array;
  ends: Int32Array;
  escaped: Uint8Array;
  base: number;
}

/** Receives each complete record, written to `target`, as byte ranges into `buf`. */
export interface RecordSink {
  readonly target: FieldTarget;
  /**
   * A record of `count` fields is at target.base; `escapes`: target.escaped holds its flags (else
   * no field needs unescaping). Returns true when the sink wants `flush` before the next record.
   */
  record(buf: Uint8Array, count: number, escapes: boolean): boolean;
  /** The buffer of the records reported so far is about to be reused: use them now. */
  flush(): void;
  /**
   * Optional fast path. `begin` sees each buffer before its records are scanned (the sink's
   * batch is empty then); `scanSimple` may then take the plain records from `from` on itself
   * (LF- or CRLF-ended lines before `stop`, with exactly as many fields as the sink wants and
   * no quoting it would have to undo or report; `cr`: whether a CR lies ahead at all), write
   * them where `record` would have, and
   * say how many it took and where it stopped. Anything else it leaves to the scanner, one
   * record at a time.
   */
  begin?(data: Uint8Array): void;
  scanSimple?(data: Uint8Array, from: number, stop: number, delimiter: number, cr: boolean): SimpleScan;
}

/** What `RecordSink.scanSimple` did: records taken, where the next one starts, and whether the sink wants a flush. */
export interface SimpleScan {
  records: number;
  end: number;
  full: boolean;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Records wanted per scan, so that each batch gives every column a run of values. */
const GATHER_ROWS = 256;
const MAX_GATHER_BYTES = 4 * 1024 * 1024;
/** Chunks larger than this are scanned in pieces of this size. */
const MAX_SCAN_BYTES = 4 * 1024 * 1024;

/**
 * A byte-level RFC 4180 scanner that works on chunks as they stream in. Fields are reported as
 * offsets into the chunk (no string per cell). A record cut by a chunk boundary is carried over
 * and rescanned with the next chunk; records are capped at `MAX_RECORD_BYTES`, so the carry is
 * bounded. Tolerant where real files are sloppy: CRLF, LF or CR line ends, blank lines skipped,
 * a quote inside an unquoted field is kept literally, text after a closing quote is dropped
 * (and counted in `malformedQuotes`).
 *
 * A sink with a fast path (`scanSimple`: the profiler's WebAssembly kernel) takes the plain
 * records in bulk; this scanner takes every record that path leaves, one at a time.
 */
export class CsvScanner {
  /** Records delivered to the sink (the header included). */
  records = 0;
  malformedQuotes = 0;
  private readonly delimiter: number;
  private readonly sink: RecordSink;
  private readonly special = new Uint8Array(256);

  constructor(delimiter: number, sink: RecordSink) {
    this.delimiter = delimiter;
    this.sink = sink;
    this.special[delimiter] = 1;
    this.special[LF] = 1;
    this.special[CR] = 1;
  }

  push(chunk: Uint8Array): void {
    // A very large chunk is scanned in pieces: the sink may copy each scanned buffer (the
    // profiler copies it to its WebAssembly memory), and that copy should not grow with the chunk.
    while (chunk.length > MAX_SCAN_BYTES) {
      this.push(chunk.subarray(0, MAX_SCAN_BYTES));
      chunk = chunk.subarray(MAX_SCAN_BYTES);
    }
    const total = this.gatheredLength + chunk.length;
    if (total < this.minScan) {
      // Too few rows for a useful batch (a very wide file, or small network chunks): gather.
      if (this.gathered.length < total) this.gathered = grow(this.gathered, this.gatheredLength, total);
      this.gathered.set(chunk, this.gatheredLength);
      this.gatheredLength = total;
      return;
    }
    if (this.gatheredLength > 0) {
      if (this.gathered.length < total) this.gathered = grow(this.gathered, this.gatheredLength, total);
      this.gathered.set(chunk, this.gatheredLength);
      this.gatheredLength = 0;
      chunk = this.gathered.subarray(0, total);
    }
    this.pushChunk(chunk);
  }

  private pushChunk(chunk: Uint8Array): void {
    if (this.carryLength === 0) {
      const consumed = this.scan(chunk, false);
      if (consumed < chunk.length) this.keep(chunk, consumed, chunk.length);
      return;
    }
    const view = bufferView(chunk);
    const lf = view.indexOf(LF);
    if (lf !== -1) {
      // The carried record most likely ends at the chunk's first line end: complete it with just
      // that line, then scan the rest of the chunk in place instead of copying all of it.
      const head = this.append(chunk.subarray(0, lf + 1));
      const consumed = this.scan(head, false);
      this.carryLength = 0;
      if (consumed === head.length) {
        this.pushChunk(chunk.subarray(lf + 1));
        return;
      }
      // It goes on (a quoted line break): carry what is left and add the rest of the chunk.
      this.keep(this.work, consumed, head.length);
      chunk = chunk.subarray(lf + 1);
    }
    // The partial record waits at the start of `work`; the chunk goes right after it. One
    // reused buffer, so a long stream does not churn through a fresh allocation per chunk.
    const data = this.append(chunk);
    // Nothing can complete before a line end arrives: wait without rescanning.
    const rest = bufferView(chunk);
    if (rest.indexOf(LF) === -1 && rest.indexOf(CR) === -1) return;
    const consumed = this.scan(data, false);
    this.carryLength = 0;
    if (consumed < data.length) this.keep(this.work, consumed, data.length);
  }

  /** Appends bytes to the carried partial record; returns the carry with them. */
  private append(bytes: Uint8Array): Uint8Array {
    const total = this.carryLength + bytes.length;
    this.ensureWork(total);
    this.work.set(bytes, this.carryLength);
    this.carryLength = total;
    this.checkCarry();
    return this.work.subarray(0, total);
  }

  finish(): void {
    if (this.gatheredLength > 0) {
      this.pushChunk(this.gathered.subarray(0, this.gatheredLength));
      this.gatheredLength = 0;
    }
    if (this.carryLength > 0) {
      const data = this.work.subarray(0, this.carryLength);
      this.carryLength = 0;
      this.scan(data, true);
    }
  }

  private work = new Uint8Array(64 * 1024);
  private carryLength = 0;
  /** Chunks held back until there are enough bytes for about GATHER_ROWS records. */
  private gathered: Uint8Array = new Uint8Array(0);
  private gatheredLength = 0;
  private minScan = 0;
  private scannedBytes = 0;

  /** Moves bytes [from, to) of `source` to the start of `work` as the carried partial record. */
  private keep(source: Uint8Array, from: number, to: number): void {
    const length = to - from;
    this.ensureWork(length);
    if (source === this.work) this.work.copyWithin(0, from, to);
    else this.work.set(source.subarray(from, to), 0);
    this.carryLength = length;
    this.checkCarry();
  }

  private ensureWork(size: number): void {
    if (size <= this.work.length) return;
    let next = this.work.length * 2;
    while (next < size) next *= 2;
    const grown = new Uint8Array(next);
    grown.set(this.work.subarray(0, this.carryLength), 0);
    this.work = grown;
  }

  private checkCarry(): void {
    if (this.carryLength > MAX_RECORD_BYTES) throw recordTooLong(this.records + 1, this.work.subarray(0, this.carryLength));
  }

  /** Scans whole records and hands them over; returns how many bytes were consumed. */
  private scan(data: Uint8Array, final: boolean): number {
    // The sink's batches are flushed from here, not from inside the record loop: V8 then compiles
    // the loop without all of the profiling code inlined into it, which is much faster to compile
    // (the loop runs on slow code until then) and keeps a bail-out there from discarding it all.
    let consumed = 0;
    let full: boolean;
    this.sink.begin?.(data);
    do {
      this.batchFull = false;
      consumed = this.scanRecords(data, consumed, final);
      full = this.batchFull;
      this.sink.flush();
    } while (full && consumed < data.length);
    this.scannedBytes += consumed;
    if (this.records > 0) this.minScan = Math.min(MAX_GATHER_BYTES, Math.ceil(this.scannedBytes / this.records) * GATHER_ROWS);
    return consumed;
  }

  /** Set when the sink asked for a flush: `scanRecords` returns after that record. */
  private batchFull = false;

  private scanRecords(data: Uint8Array, from: number, final: boolean): number {
    const len = data.length;
    const delimiter = this.delimiter;
    const sink = this.sink;
    // Buffer's indexOf is memchr; the typed-array one is a plain loop, a full extra pass.
    const view = bufferView(data);
    let pos = from;
    // The next CR at or after pos (len when none): the sink's fast path looks for CRs only if one lies ahead.
    let nextCr = -1;
    while (pos < len) {
      if (sink.scanSimple !== undefined) {
        // The plain records, all at once, by the sink's fast path.
        if (nextCr < pos) {
          nextCr = view.indexOf(CR, pos);
          if (nextCr === -1) nextCr = len;
        }
        const simple = sink.scanSimple(data, pos, len, delimiter, nextCr < len);
        if (simple.records > 0) {
          this.records += simple.records;
          pos = simple.end;
          if (simple.full) {
            this.batchFull = true;
            return pos;
          }
          continue;
        }
      }
      // Anything else (quotes to undo, a ragged row, a blank line, a lone CR, the end of the
      // data), or every record for a sink without a fast path: the full state machine.
      const recordStart = pos;
      const fields = this.scanSlow(data, view, pos, final);
      if (fields < 0) return recordStart;
      pos = this.slowEnd;
      if (this.deliver(data, recordStart, pos, fields, true)) {
        this.batchFull = true;
        return pos;
      }
    }
    return pos;
  }

  private slowEnd = 0;

  /** Checks and hands one record to the sink (a blank line is skipped); returns true when the sink wants a flush. */
  private deliver(data: Uint8Array, recordStart: number, recordEnd: number, fields: number, escapes: boolean): boolean {
    if (recordEnd - recordStart > MAX_RECORD_BYTES) throw recordTooLong(this.records + 1, data.subarray(recordStart, recordEnd));
    // A blank line (one empty unquoted field) is not a record.
    const { starts, ends, base } = this.sink.target;
    if (fields === 1 && starts[base] === ends[base] && data[recordStart] !== QUOTE) return false;
    this.records++;
    return this.sink.record(data, fields, escapes);
  }

  /**
   * The general state machine (quotes, CR line ends) for one record starting at `pos`; `view` is
   * a Buffer over `data`. Returns the record's field count and sets `slowEnd`, or -1 when the
   * record is incomplete.
   */
  private scanSlow(data: Uint8Array, view: Buffer, pos: number, final: boolean): number {
    const len = data.length;
    const special = this.special;
    const delimiter = this.delimiter;
    const { starts, ends, escaped, base } = this.sink.target;
    let fields = 0;
    // Counted once the record is complete: an incomplete one is scanned again with more data.
    let malformed = 0;
      for (;;) {
        if (fields >= MAX_COLUMNS) throw tooManyColumns();
        if (pos >= len) {
          // After a delimiter at the very end: an empty last field if the file ends here.
          if (!final) return -1;
          starts[base + fields] = pos;
          ends[base + fields] = pos;
          escaped[base + fields++] = 0;
          break;
        }
        if (data[pos] === QUOTE) {
          let i = pos + 1;
          let hasEscapes = 0;
          let close = -1;
          for (;;) {
            // The Buffer view's indexOf is memchr; the typed array's is a generic loop.
            const q = view.indexOf(QUOTE, i);
            if (q === -1) break;
            if (q + 1 < len && data[q + 1] === QUOTE) {
              hasEscapes = 1;
              i = q + 2;
              continue;
            }
            if (q + 1 >= len && !final) break;
            close = q;
            break;
          }
          if (close === -1) {
            if (!final) return -1;
            throw new ProcessingError(
              'unterminated_quote',
              `A quoted value that starts in row ${this.records + 1} is never closed: a closing double quote (") is missing. Please fix the quoting and upload again.`,
            );
          }
          starts[base + fields] = pos + 1;
          ends[base + fields] = close;
          escaped[base + fields++] = hasEscapes;
          pos = close + 1;
          if (pos < len && special[data[pos] as number] === 0) {
            malformed++;
            while (pos < len && special[data[pos] as number] === 0) pos++;
          }
        } else {
          const start = pos;
          while (pos < len && special[data[pos] as number] === 0) pos++;
          starts[base + fields] = start;
          ends[base + fields] = pos;
          escaped[base + fields++] = 0;
        }
        if (pos >= len) {
          if (!final) return -1;
          break;
        }
        const b = data[pos];
        if (b === delimiter) {
          pos++;
          continue;
        }
        pos++;
        if (b === CR && pos < len && data[pos] === LF) pos++;
        break;
      }
    this.slowEnd = pos;
    this.malformedQuotes += malformed;
    return fields;
  }
}

/** A larger copy of `bytes[0..used)`, at least `size` long. */
function grow(bytes: Uint8Array, used: number, size: number): Uint8Array {
  const grown = new Uint8Array(Math.max(size, bytes.length * 2));
  grown.set(bytes.subarray(0, used), 0);
  return grown;
}

/** A Buffer over the same bytes, for its native (memchr) indexOf. */
function bufferView(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.length);
}

function tooManyColumns(): ProcessingError {
  return new ProcessingError('too_many_columns', `The file has more than ${MAX_COLUMNS.toLocaleString('en-US')} columns, which is more than this report supports.`);
}

function recordTooLong(row: number, bytes: Uint8Array): ProcessingError {
  const quoteCount = bytes.reduce((n, b) => n + (b === QUOTE ? 1 : 0), 0);
  const hint = quoteCount % 2 === 1 ? ' This usually means a double quote (") was opened and never closed.' : '';
  return new ProcessingError(
    'line_too_long',
    `Row ${row} is longer than 1 MiB, which is more than this report supports.${hint}`,
  );
}
