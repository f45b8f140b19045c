import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../lambdas/processors/profile/build-report';
import { SCAN_ESCAPES } from '../../../lambdas/processors/profile/cell-kernel';
import { CsvScanner } from '../../../lambdas/processors/profile/csv-scanner';
import { DataProfiler } from '../../../lambdas/processors/profile/data-profiler';
import { chunked, utf8 } from './helpers';

/**
 * The kernel's fast scan (scanLines in assembly/cells.ts) takes the plain records and leaves
 * the rest to the JavaScript scanner. Whatever mix of records a file has, and however it is cut
 * into chunks, the report must be the one the JavaScript scanner alone gives.
 */
async function report(text: string, fast: boolean, sizes?: readonly number[]): Promise<string> {
  const profiler = new DataProfiler();
  // Without its fast path the profiler is an ordinary sink: every record goes through `record`.
  if (!fast) Object.assign(profiler, { scanSimple: undefined });
  const scanner = new CsvScanner(0x2c, profiler);
  for await (const chunk of chunked(utf8(text), sizes)) scanner.push(chunk);
  scanner.finish();
  profiler.flush();
  const r = buildReport(profiler, { fileName: 'x.csv', bytes: text.length, encoding: 'utf-8', dialect: { format: 'csv', delimiter: 0x2c }, malformedQuotedFields: scanner.malformedQuotes, invalidJsonLines: 0, invalidJsonExamples: [] }, { lang: 'en', orderId: null, generatedAt: '2026-01-01T00:00:00.000Z', memoryBudgetMb: 0 });
  return JSON.stringify({ ...r, generatedAt: undefined, records: scanner.records, malformed: scanner.malformedQuotes });
}

const field = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1', '-2.5', '2024-02-29', 'true', 'abc', '', ' x ', '東京都', '1e3', '12345678901234567') },
  { weight: 2, arbitrary: fc.constantFrom('"a,b"', '"line\nbreak"', '""', '"Zürich, CH"', '"x"') },
  { weight: 1, arbitrary: fc.constantFrom('"say ""hi"""', '"closed"after', 'in"side', '"unclosed', 'a\rb', '"q"\r') },
);
const row = fc.oneof(
  { weight: 8, arbitrary: fc.array(field, { minLength: 3, maxLength: 3 }).map((cells) => cells.join(',')) },
  { weight: 1, arbitrary: fc.array(field, { minLength: 1, maxLength: 5 }).map((cells) => cells.join(',')) },
  { weight: 1, arbitrary: fc.constantFrom('', '\r', ' ') },
);

/** LF and CRLF line ends, mixed within a file, and a last line without one. */
const lineEnd = fc.constantFrom('\n', '\n', '\r\n', '');

describe('fast scan of plain records', () => {
  it('gives the report the JavaScript scanner gives, for any mix of records and any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(row, lineEnd), { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }), async (lines, sizes) => {
        const text = `a,b,c\n${lines.map(([cells, end]) => cells + end).join('')}`;
        let plain: string;
        try {
          plain = await report(text, false);
        } catch (error) {
          // Files the scanner rejects (an unclosed quote) are rejected the same way either way.
          await expect(report(text, true, sizes)).rejects.toThrow((error as Error).message);
          return;
        }
        expect(await report(text, true)).toBe(plain);
        expect(await report(text, true, sizes)).toBe(plain);
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });

  it('undoes doubled quotes the kernel takes, past a full list of them (SCAN_ESCAPES a scan)', async () => {
    // Two quoted fields with doubled quotes a row: the kernel's list fills mid-batch, the record
    // that does not fit goes to JavaScript, and the kernel goes on after it.
    const rows = Array.from({ length: 3 * SCAN_ESCAPES }, (_, i) => `${i},"said ""hi"" ${i % 7}","${'""'.repeat(i % 3)}x"`);
    const text = `n,said,q\n${rows.join('\n')}\n`;
    const fast = await report(text, true);
    expect(fast).toBe(await report(text, false));
    const parsed = JSON.parse(fast) as { columns: Array<{ name: string; distinct: { value: number }; topValues: Array<{ value: string }> }> };
    expect(parsed.columns[1]?.distinct.value).toBe(7);
    expect(parsed.columns[1]?.topValues.map((t) => t.value)).toContain('said "hi" 0');
    expect(parsed.columns[2]?.topValues.map((t) => t.value).sort()).toEqual(['""x', '"x', 'x']);
  });

  it('a one-column file keeps blank lines out and quoted empty values in', async () => {
    const text = 'v\n1\n\n""\n2\r\n\r\n3\n\n';
    expect(await report(text, true)).toBe(await report(text, false));
    expect(JSON.parse(await report(text, true)).file.rows).toBe(4);
  });
});
