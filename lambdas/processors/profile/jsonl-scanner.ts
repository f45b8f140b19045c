import { ProcessingError } from '../processor';
import type { DataProfiler } from './data-profiler';
import { MAX_RECORD_BYTES } from './limits';

const LF = 0x0a;
const INVALID_EXAMPLES = 5;

/**
 * JSON Lines: one object per line. Top-level keys become columns; nested objects and arrays are
 * profiled as their JSON text. Lines that are not JSON objects are skipped and counted (the
 * report warns); if no line at all is a JSON object the file is rejected.
 */
export class JsonlScanner {
  invalidLines = 0;
  readonly invalidExamples: number[] = [];
  private line = 0;
  private carry: Uint8Array | undefined;
  private readonly decoder = new TextDecoder();

  constructor(private readonly profiler: DataProfiler) {}

  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.carry !== undefined) {
      data = new Uint8Array(this.carry.length + chunk.length);
      data.set(this.carry, 0);
      data.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    let start = 0;
    for (;;) {
      const end = data.indexOf(LF, start);
      if (end === -1) break;
      this.handleLine(data, start, end);
      start = end + 1;
    }
    if (start < data.length) {
      if (data.length - start > MAX_RECORD_BYTES) throw lineTooLong(this.line + 1);
      this.carry = data.slice(start);
    }
  }

  finish(): void {
    if (this.carry !== undefined) {
      const data = this.carry;
      this.carry = undefined;
      this.handleLine(data, 0, data.length);
    }
    if (this.profiler.rows === 0 && this.invalidLines > 0) {
      throw new ProcessingError('invalid_json', 'No line of the file is a JSON object. A JSON Lines file has one {"column": value, …} object per line.');
    }
  }

  private handleLine(data: Uint8Array, start: number, end: number): void {
    this.line++;
    if (end - start > MAX_RECORD_BYTES) throw lineTooLong(this.line);
    const text = this.decoder.decode(data.subarray(start, end)).trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.invalidLines++;
      if (this.invalidExamples.length < INVALID_EXAMPLES) this.invalidExamples.push(this.line);
      return;
    }
    this.profiler.jsonRecord(recordEntries(value));
  }
}

/** A JSON object's top-level entries as text: nested objects and arrays as their JSON, null as missing. */
export function recordEntries(value: object): Array<[string, string | null]> {
  const entries: Array<[string, string | null]> = [];
  for (const [key, v] of Object.entries(value)) {
    entries.push([key, v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return entries;
}

function lineTooLong(line: number): ProcessingError {
  return new ProcessingError('line_too_long', `Line ${line} is longer than 1 MiB, which is more than this report supports.`);
}
