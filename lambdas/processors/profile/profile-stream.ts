import { ProcessingError, type ProcessorInput } from '../processor';
import { buildReport } from './build-report';
import { DEFAULT_MEMORY_BUDGET_MB } from './exact-values';
import { JsonArrayScanner } from './json-array-scanner';
import { CsvScanner } from './csv-scanner';
import { DataProfiler } from './data-profiler';
import { type Dialect, detectDialect } from './dialect';
import { JsonlScanner } from './jsonl-scanner';
import { SNIFF_BYTES } from './limits';
import type { ProfileReport } from './report-model';
import { reportLang } from './report-text';
import { type TextFacts, validatedText } from './text-input';
import { NumberStyle } from './value-parser';

/** Rows or bytes read before the rows to come are estimated from the file's size. */
const SIZE_AFTER_ROWS = 10_000;
const SIZE_AFTER_BYTES = 1 << 20;
/** Rows vary in length: room for a quarter more (address space only until written). */
const SIZE_MARGIN = 1.25;

interface Scanner {
  push(chunk: Uint8Array): void;
  finish(): void;
}

export interface ProfileOptions {
  /**
   * Memory the exact figures may hold, in MB (exact-values.ts); past it each figure falls back to
   * its sketch. 0: sketches from the start. Default DEFAULT_MEMORY_BUDGET_MB.
   */
  readonly memoryBudgetMb?: number;
  /** Called with the bytes read so far (the CLI's progress bar). */
  readonly onProgress?: (bytes: number) => void;
}

/** One streaming pass over the upload: bytes → validated text → records → column profiles. */
export async function profileStream(input: ProcessorInput, options: ProfileOptions = {}): Promise<ProfileReport> {
  const facts: TextFacts = { bytes: 0, encoding: 'utf-8' };
  const memoryBudgetMb = options.memoryBudgetMb ?? DEFAULT_MEMORY_BUDGET_MB;
  const profiler = new DataProfiler(Math.floor(memoryBudgetMb * 1024 * 1024));
  let json: JsonArrayScanner | undefined;
  let scanner: Scanner | undefined;
  let csv: CsvScanner | undefined;
  let jsonl: JsonlScanner | undefined;
  let dialect: Dialect | undefined;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;

  // The first bytes are held back until there are enough to recognise format and delimiter.
  const start = (complete: boolean): Scanner => {
    const sample = joinChunks(pending, Math.min(pendingBytes, SNIFF_BYTES));
    if (isBlank(sample)) {
      if (complete) throw emptyFile();
    }
    dialect = detectDialect(sample, input.fileName, complete);
    // "1,234" is a thousand and more in most files, 1.234 where a semicolon separates the fields
    // (a decimal comma locale); each column then keeps the first form it reads (value-parser.ts).
    if (dialect.format === 'csv') profiler.numberStyle = dialect.delimiter === 0x3b ? NumberStyle.EitherDecimalComma : NumberStyle.EitherThousands;
    if (dialect.format === 'json') {
      json = new JsonArrayScanner(profiler);
      scanner = json;
    } else if (dialect.format === 'jsonl') {
      jsonl = new JsonlScanner(profiler);
      scanner = jsonl;
    } else {
      csv = new CsvScanner(dialect.delimiter, profiler);
      scanner = csv;
    }
    for (const chunk of pending) scanner.push(chunk);
    pending.length = 0;
    return scanner;
  };

  // With the file's size known, the exact figures' arrays are sized for its rows once the first
  // rows tell how long a row is (DataProfiler.expectRows), instead of growing as rows arrive.
  let sized = !(input.sizeBytes !== undefined && input.sizeBytes > 0 && memoryBudgetMb > 0);
  for await (const chunk of validatedText(input.body, input.maxBytes, facts)) {
    options.onProgress?.(facts.bytes);
    if (scanner !== undefined) {
      scanner.push(chunk);
      if (!sized && (profiler.rows >= SIZE_AFTER_ROWS || facts.bytes >= SIZE_AFTER_BYTES) && profiler.rows > 0) {
        sized = true;
        profiler.expectRows(Math.ceil((profiler.rows * (input.sizeBytes as number) * SIZE_MARGIN) / facts.bytes));
      }
      continue;
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= SNIFF_BYTES) start(false);
  }
  if (pendingBytes === 0) throw emptyFile();
  (scanner ?? start(true)).finish();
  profiler.flush();

  if (profiler.columns.length === 0 && profiler.rows > 0) {
    throw new ProcessingError('no_columns', 'The file has rows but no columns: every JSON object is empty.');
  }
  if (profiler.rows === 0) {
    if (profiler.columns.length === 0) throw emptyFile();
    throw new ProcessingError('no_data_rows', 'The file has a header row but no data rows, so there is nothing to profile.');
  }
  return buildReport(
    profiler,
    {
      fileName: input.fileName,
      bytes: facts.bytes,
      encoding: facts.encoding,
      dialect: dialect ?? { format: 'csv', delimiter: 0x2c },
      malformedQuotedFields: csv?.malformedQuotes ?? 0,
      invalidJsonLines: jsonl?.invalidLines ?? json?.invalidRecords ?? 0,
      invalidJsonExamples: jsonl?.invalidExamples ?? json?.invalidExamples ?? [],
    },
    {
      lang: reportLang(input.lang),
      orderId: input.orderId ?? null,
      generatedAt: input.generatedAt ?? new Date().toISOString(),
      memoryBudgetMb,
    },
  );
}

function emptyFile(): ProcessingError {
  return new ProcessingError('empty_file', 'The file is empty. Please upload a CSV, TSV, JSON Lines or JSON file with a header row (or records) and at least one data row.');
}

function joinChunks(chunks: readonly Uint8Array[], limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let at = 0;
  for (const c of chunks) {
    if (at >= limit) break;
    const take = Math.min(c.length, limit - at);
    out.set(c.subarray(0, take), at);
    at += take;
  }
  return out;
}

function isBlank(sample: Uint8Array): boolean {
  for (const b of sample) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}
