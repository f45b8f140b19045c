import { ProcessingError } from '../processor';
import type { DataProfiler } from './data-profiler';
import { recordEntries } from './jsonl-scanner';
import { MAX_RECORD_BYTES } from './limits';

const INVALID_EXAMPLES = 5;
const enum State {
  /** Before the opening `[`. */
  Start,
  /** Inside the array, between elements (after `[` or `,`). */
  Between,
  /** Inside an element. */
  Element,
  /** After an element: `,` or `]` next. */
  After,
  /** After the closing `]`. */
  Done,
}

/**
 * A `.json` file holding an array of records (`[{…}, {…}]`), streamed: the bytes are split into
 * the array's elements by a small state machine (depth, strings, escapes), and each element is
 * parsed on its own as a JSON Lines object would be. The whole file is never held. Elements
 * that are not objects are skipped and counted; a file that is not an array is refused with the
 * byte offset where it went wrong.
 */
export class JsonArrayScanner {
  invalidRecords = 0;
  readonly invalidExamples: number[] = [];
  private state = State.Start;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Bytes of the element being read (across chunks). */
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private elementStart = 0;
  private offset = 0;
  private records = 0;
  private readonly decoder = new TextDecoder();

  constructor(private readonly profiler: DataProfiler) {}

  push(chunk: Uint8Array): void {
    // An element continued from the previous chunk starts at this chunk's first byte.
    let from = this.state === State.Element ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      switch (this.state) {
        case State.Start:
          if (isSpace(b)) continue;
          if (b === 0x7b) throw singleObject();
          if (b !== 0x5b) throw notAnArray(this.offset + i);
          this.state = State.Between;
          continue;
        case State.Between:
        case State.After:
          if (isSpace(b)) continue;
          if (b === 0x5d) {
            this.state = State.Done;
            continue;
          }
          if (this.state === State.After) {
            if (b !== 0x2c) throw unexpected(this.offset + i, b);
            this.state = State.Between;
            continue;
          }
          this.state = State.Element;
          this.elementStart = this.offset + i;
          from = i;
          this.depth = 0;
          this.inString = false;
          this.escape = false;
          i--;
          continue;
        case State.Element: {
          if (this.inString) {
            if (this.escape) this.escape = false;
            else if (b === 0x5c) this.escape = true;
            else if (b === 0x22) this.inString = false;
            continue;
          }
          if (b === 0x22) this.inString = true;
          else if (b === 0x7b || b === 0x5b) this.depth++;
          else if (b === 0x7d || b === 0x5d) {
            if (this.depth === 0) {
              // `]` closing the array right after a scalar element.
              this.take(chunk, from, i);
              from = -1;
              this.element();
              this.state = State.Done;
              continue;
            }
            this.depth--;
            if (this.depth === 0) {
              this.take(chunk, from, i + 1);
              from = -1;
              this.element();
              this.state = State.After;
            }
          } else if (b === 0x2c && this.depth === 0) {
            this.take(chunk, from, i);
            from = -1;
            this.element();
            this.state = State.Between;
          }
          continue;
        }
        case State.Done:
          if (!isSpace(b)) throw new ProcessingError('invalid_json', `The JSON array ends before byte ${(this.offset + i).toLocaleString('en-US')}, but more text follows it. A .json file must hold one array of records.`);
      }
    }
    if (this.state === State.Element && from !== -1) this.take(chunk, from, chunk.length);
    this.offset += chunk.length;
  }

  finish(): void {
    if (this.state === State.Start) throw notAnArray(this.offset);
    if (this.state !== State.Done) {
      throw new ProcessingError('invalid_json', `The JSON array is not closed: the file ends at byte ${this.offset.toLocaleString('en-US')} before its closing "]". The file may be cut short.`);
    }
    if (this.profiler.rows === 0 && this.invalidRecords > 0) {
      throw new ProcessingError('invalid_json', 'No element of the JSON array is an object. A .json file for this report holds an array of records: [{"column": value, …}, …].');
    }
  }

  private take(chunk: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    this.partBytes += to - from;
    if (this.partBytes > MAX_RECORD_BYTES) {
      throw new ProcessingError('line_too_long', `The record starting at byte ${this.elementStart.toLocaleString('en-US')} is longer than 1 MiB, which is more than this report supports.`);
    }
    this.parts.push(chunk.slice(from, to));
  }

  private element(): void {
    this.records++;
    const bytes = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(bytes));
    } catch {
      throw new ProcessingError('invalid_json', `The JSON is not valid in the record starting at byte ${this.elementStart.toLocaleString('en-US')} (record ${this.records.toLocaleString('en-US')}).`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.invalidRecords++;
      if (this.invalidExamples.length < INVALID_EXAMPLES) this.invalidExamples.push(this.records);
      return;
    }
    this.profiler.jsonRecord(recordEntries(value));
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function notAnArray(offset: number): ProcessingError {
  return new ProcessingError('invalid_json', `A .json file for this report holds an array of records ([{"column": value, …}, …]), but this one does not start with "[" (byte ${offset.toLocaleString('en-US')}).`);
}

function singleObject(): ProcessingError {
  return new ProcessingError(
    'invalid_json',
    'This .json file holds a single JSON object, not a list of records. The report reads a JSON array of records ([{"column": value, …}, …]) in a .json file, or JSON Lines (one object per line) in a .jsonl file.',
  );
}

function unexpected(offset: number, b: number): ProcessingError {
  return new ProcessingError('invalid_json', `The JSON array has an unexpected "${String.fromCharCode(b)}" at byte ${offset.toLocaleString('en-US')} where a "," or "]" should be.`);
}
