import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runProcessor, utf8 } from './helpers';

/**
 * The same bytes must give the same report however the stream is cut: boundaries inside quoted
 * fields, between CR and LF, inside multi-byte UTF-8 characters, inside the BOM-less header.
 */
const TRICKY = [
  'id,city,note,amount,when',
  '1,東京都,"he said ""hi"", then left",12.5,2024-01-01',
  '2,"Zürich, CH","line one',
  'line two",-3,2024-01-02T10:00:00Z',
  '3,São Paulo,,7,2024-02-29',
  '4,Lagos,"a,b,c",1e3,',
  '5,🙂 emoji,"""quoted""",0.1,2023-12-31',
].join('\r\n');

const JSONL = ['{"id":1,"city":"東京都","tags":["a","b"]}', '{"id":2,"city":"Zürich","n":null}', '{"id":3,"city":"🙂","n":2.5}'].join('\n');

async function reportText(content: string, chunkSizes: readonly number[] | undefined, fileName = 'data.csv'): Promise<string> {
  const result = await runProcessor(content, { chunkSizes, fileName });
  const json = result.artifacts.find((a) => a.name === 'report.json');
  return String(json?.body);
}

describe('chunk boundaries do not change the report', () => {
  it.each([
    ['CSV', TRICKY, 'data.csv'],
    ['CSV with a BOM', `\uFEFF${TRICKY}`, 'data.csv'],
    ['JSON Lines', JSONL, 'data.jsonl'],
  ])('%s: random small chunk sizes give the same report as one chunk', async (_name, content, fileName) => {
    const whole = await reportText(content, undefined, fileName);
    expect(JSON.parse(whole).file.rows).toBeGreaterThan(2);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        expect(await reportText(content, sizes, fileName)).toBe(whole);
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('every single cut position of the CSV (two chunks) gives the same report', async () => {
    const bytes = utf8(TRICKY);
    const whole = await reportText(TRICKY, undefined);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await reportText(TRICKY, [cut, bytes.length]), `cut at ${cut}`).toBe(whole);
    }
  });

  it('one byte at a time', async () => {
    expect(await reportText(TRICKY, [1])).toBe(await reportText(TRICKY, undefined));
  });

  it('a larger file fed in random chunks', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},"name ${i % 97}, ü",${(i * 7919) % 1000 / 10},"x\ny"`).join('\n');
    const content = `a,b,c,d\n${rows}\n`;
    const whole = await reportText(content, undefined);
    expect(await reportText(content, [4096, 1, 333, 65_536, 2])).toBe(whole);
    expect(JSON.parse(whole).file.rows).toBe(3000);
  });

  it('a file over 4 MB in one chunk (scanned in pieces) gives the same report as in 64 KB chunks', async () => {
    const rows = Array.from({ length: 120_000 }, (_, i) => `${i},"city ${i % 89}, x",${(i * 7919) % 100_000 / 100},2024-03-${String((i % 28) + 1).padStart(2, '0')}`).join('\n');
    const content = `a,b,c,d\n${rows}\n`;
    expect(content.length).toBeGreaterThan(4 * 1024 * 1024);
    const whole = await reportText(content, undefined);
    expect(JSON.parse(whole).file.rows).toBe(120_000);
    expect(await reportText(content, [65_536])).toBe(whole);
  });

  it('a wide file (gathered into batches of many rows) in small chunks gives the same report as in one', async () => {
    // 1,200 columns: each row is longer than most chunks, so the scanner gathers chunks before it
    // scans; quoted cells, short and long rows and 150 rows cross the first-batch cut at 64 rows.
    const width = 1200;
    const header = Array.from({ length: width }, (_, c) => `c${c}`).join(',');
    const rows = Array.from({ length: 150 }, (_, r) => {
      const cells = Array.from({ length: width }, (_, c) => (c % 5 === 0 ? `"q ""${r}"", ${c}"` : c % 5 === 1 ? String((r * c) % 97) : c % 5 === 2 ? `2024-01-${String((r % 28) + 1).padStart(2, '0')}` : c % 5 === 3 ? (r % 2 === 0 ? 'true' : 'false') : `v${r % 13}`));
      return (r % 37 === 5 ? cells.slice(0, width - 3) : r % 41 === 7 ? [...cells, 'extra'] : cells).join(',');
    });
    const content = `${header}\n${rows.join('\n')}\n`;
    const whole = await reportText(content, undefined);
    const report = JSON.parse(whole);
    expect(report.file.rows).toBe(150);
    expect(report.file.columns).toBe(width);
    expect(report.file.raggedRows.short).toBeGreaterThan(0);
    expect(report.file.raggedRows.long).toBeGreaterThan(0);
    // Doubled quotes undone: `q "0", 0` is 8 characters, `q "149", 0` 10.
    expect(report.columns[0].distinct.value).toBe(150);
    expect(report.columns[0].length).toEqual({ min: 8, max: 10 });
    expect(report.columns[4].topValues[0].value).toMatch(/^v\d+$/);
    expect(await reportText(content, [1000, 7, 65_536, 333])).toBe(whole);
  });
});
