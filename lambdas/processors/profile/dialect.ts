/** File format and delimiter detection from the first bytes of the upload. */
export type Format = 'csv' | 'jsonl' | 'json';

export interface Dialect {
  readonly format: Format;
  /** Byte value of the field delimiter (CSV only). */
  readonly delimiter: number;
}

const CANDIDATES = [0x2c, 0x09, 0x3b, 0x7c]; // , tab ; |
const SAMPLE_RECORDS = 200;

export const DELIMITER_NAMES: Record<number, string> = { 0x2c: 'comma', 0x09: 'tab', 0x3b: 'semicolon', 0x7c: 'pipe' };

/**
 * JSON Lines when the extension says so, or when the text starts with `{` (a `.json` file only
 * when its first line is a whole object and the next line starts another: JSON Lines named
 * .json; any other `.json` file starting with `{` holds one object, which the JSON array
 * scanner refuses by name); a JSON array of records for `.json` or text starting with `[`;
 * otherwise CSV with
 * the candidate delimiter that splits the sample into the most consistent number of fields
 * (more than one). Ties go to the extension's delimiter (tab for .tsv), then comma, tab,
 * semicolon, pipe. `complete` says the sample is the whole file (its last line is whole).
 */
export function detectDialect(sample: Uint8Array, fileName: string, complete: boolean): Dialect {
  const extension = fileName.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? '';
  let first = 0;
  while (first < sample.length && (sample[first] === 0x20 || sample[first] === 0x0a || sample[first] === 0x0d || sample[first] === 0x09)) first++;
  if (extension === '.jsonl' || extension === '.ndjson') return { format: 'jsonl', delimiter: 0 };
  if (sample[first] === 0x7b) return { format: extension !== '.json' || looksLikeJsonLines(sample, first) ? 'jsonl' : 'json', delimiter: 0 };
  if (extension === '.json' || sample[first] === 0x5b) return { format: 'json', delimiter: 0 };
  const preferred = extension === '.tsv' || extension === '.tab' ? 0x09 : 0x2c;
  let best = { delimiter: preferred, score: -1, width: 1 };
  const ordered = [preferred, ...CANDIDATES.filter((c) => c !== preferred)];
  for (const delimiter of ordered) {
    const counts = fieldCounts(sample, delimiter, complete);
    if (counts.length === 0) continue;
    const tally = new Map<number, number>();
    for (const c of counts) tally.set(c, (tally.get(c) ?? 0) + 1);
    let modal = 1;
    let modalCount = 0;
    for (const [width, n] of tally) if (n > modalCount || (n === modalCount && width > modal)) [modal, modalCount] = [width, n];
    if (modal < 2) continue;
    const score = modalCount / counts.length;
    if (score > best.score + 1e-9 || (Math.abs(score - best.score) <= 1e-9 && modal > best.width)) best = { delimiter, score, width: modal };
  }
  return { format: 'csv', delimiter: best.delimiter };
}

/** The first line from `first` is one whole JSON object and the next non-blank line starts another. */
function looksLikeJsonLines(sample: Uint8Array, first: number): boolean {
  const text = new TextDecoder().decode(sample.subarray(first));
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length < 2 || !(lines[1] as string).trimStart().startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(lines[0] as string);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Field counts of the sample's records under one delimiter, honouring quotes. */
function fieldCounts(sample: Uint8Array, delimiter: number, complete: boolean): number[] {
  const counts: number[] = [];
  let fields = 1;
  let inQuotes = false;
  let atFieldStart = true;
  let lineHasContent = false;
  for (let i = 0; i < sample.length && counts.length < SAMPLE_RECORDS; i++) {
    const b = sample[i];
    if (inQuotes) {
      if (b === 0x22) {
        if (sample[i + 1] === 0x22) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (b === 0x22 && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
      lineHasContent = true;
    } else if (b === delimiter) {
      fields++;
      atFieldStart = true;
      lineHasContent = true;
    } else if (b === 0x0a || b === 0x0d) {
      if (lineHasContent) counts.push(fields);
      fields = 1;
      atFieldStart = true;
      lineHasContent = false;
    } else {
      atFieldStart = false;
      lineHasContent = true;
    }
  }
  if (complete && lineHasContent && !inQuotes && counts.length < SAMPLE_RECORDS) counts.push(fields);
  return counts;
}
