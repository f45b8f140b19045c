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
});
