import { describe, expect, it } from 'vitest';
import { ProcessingError } from '../../../lambdas/processors/processor';
import { profile, runProcessor, utf8 } from './helpers';

async function failure(content: string | Uint8Array, options: Parameters<typeof runProcessor>[1] = {}): Promise<ProcessingError> {
  try {
    await runProcessor(content, options);
  } catch (error) {
    if (error instanceof ProcessingError) return error;
    throw error;
  }
  throw new Error('expected a ProcessingError');
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('bad input ends in a ProcessingError a customer understands', () => {
  it.each([
    ['empty file', '', 'empty_file', /empty/],
    ['only blank lines', '\n\n  \r\n', 'empty_file', /empty/],
    ['header only', 'a,b,c\n', 'no_data_rows', /header row but no data rows/],
    ['header only, no newline', 'a,b,c', 'no_data_rows', /no data rows/],
    ['unterminated quote', 'a,b\n1,"never closed\n2,3\n', 'unterminated_quote', /never closed/],
    ['JSON Lines with no object', 'hello\nworld\n', 'invalid_json', /JSON object/],
    ['JSON Lines of empty objects', '{}\n{}\n', 'no_columns', /no columns/],
  ])('%s', async (_name, content, code, message) => {
    const options = code === 'invalid_json' || code === 'no_columns' ? { fileName: 'x.jsonl' } : {};
    const error = await failure(content, options);
    expect(error.code).toBe(code);
    expect(error.customerMessage).toMatch(message);
  });

  it.each([
    ['NUL bytes', bytes(0x61, 0x2c, 0x62, 0x0a, 0x31, 0x00, 0x32, 0x0a), 'not_text', /binary/],
    ['a ZIP / xlsx file', bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00), 'not_text', /Excel/],
    ['gzip', bytes(0x1f, 0x8b, 0x08, 0x00), 'not_text', /decompress/],
    ['PDF', utf8('%PDF-1.7\n'), 'not_text', /PDF/],
    ['UTF-16', bytes(0xff, 0xfe, 0x61, 0x00), 'unsupported_encoding', /UTF-16/],
    ['invalid UTF-8 (Latin-1 é)', bytes(0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a), 'invalid_encoding', /not valid UTF-8.*byte/],
    ['truncated UTF-8 at the end', bytes(0x61, 0x0a, 0x62, 0xe6, 0x9d), 'invalid_encoding', /UTF-8/],
  ])('%s', async (_name, content, code, message) => {
    const error = await failure(content);
    expect(error.code).toBe(code);
    expect(error.customerMessage).toMatch(message);
  });

  it('invalid UTF-8 deep in the file, after many chunks', async () => {
    const good = utf8(`a\n${'東京\n'.repeat(50_000)}`);
    const content = new Uint8Array(good.length + 2);
    content.set(good);
    content.set([0xc3, 0x0a], good.length);
    const error = await failure(content, { chunkSizes: [4093, 17, 65_536] });
    expect(error.code).toBe('invalid_encoding');
  });

  it('a file larger than maxBytes, counted while streaming', async () => {
    const content = `a,b\n${'1,2\n'.repeat(10_000)}`;
    const error = await failure(content, { maxBytes: 1000, chunkSizes: [300] });
    expect(error.code).toBe('too_large');
    expect(error.customerMessage).toContain('1,000 bytes');
  });

  it('a line larger than 1 MB', async () => {
    const error = await failure(`a,b\n1,${'x'.repeat(1024 * 1024 + 10)}\n`, { chunkSizes: [65_536] });
    expect(error.code).toBe('line_too_long');
    expect(error.customerMessage).toMatch(/Row 2 is longer than 1 MiB/);
  });

  it('a quote left open runs into the 1 MB limit with a hint', async () => {
    const error = await failure(`a,b\n1,"open\n${'2,3\n'.repeat(300_000)}`, { chunkSizes: [65_536] });
    expect(error.code).toBe('line_too_long');
    expect(error.customerMessage).toMatch(/never closed/);
  });

  it.each([
    ['on one line', '{"name":"Ada","born":1815}\n'],
    ['pretty-printed', '{\n  "name": "Ada",\n  "born": 1815\n}\n'],
    ['holding the records in a key', '{"records": [{"a": 1}, {"a": 2}]}'],
  ])('a .json file holding a single object (%s) is refused, pointing at arrays and JSON Lines', async (_name, content) => {
    const error = await failure(content, { fileName: 'data.json' });
    expect(error.code).toBe('invalid_json');
    expect(error.customerMessage).toMatch(/single JSON object/);
    expect(error.customerMessage).toMatch(/array of records/);
    expect(error.customerMessage).toMatch(/JSON Lines/);
  });

  it('JSON Lines named .json are still read as JSON Lines', async () => {
    const r = await profile('{"a":1}\n{"a":2}\n{"a":3}\n', { fileName: 'data.json' });
    expect(r.file.format).toBe('jsonl');
    expect(r.file.rows).toBe(3);
  });

  it('a JSON line larger than 1 MB', async () => {
    const error = await failure(`{"a":"${'x'.repeat(1024 * 1024 + 10)}"}\n`, { fileName: 'x.jsonl', chunkSizes: [65_536] });
    expect(error.code).toBe('line_too_long');
  });

  it('more than 10,000 columns', async () => {
    const header = Array.from({ length: 10_001 }, (_, i) => `c${i}`).join(',');
    const error = await failure(`${header}\n${header}\n`);
    expect(error.code).toBe('too_many_columns');
    expect(error.customerMessage).toContain('10,000');
  });

  it('exactly 10,000 columns is accepted', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 10_000 }, (_, i) => String(i)).join(',');
    const r = await profile(`${header}\n${row}\n${row}\n`);
    expect(r.file.columns).toBe(10_000);
    expect(r.file.rows).toBe(2);
  });

  it('never passes a non-ProcessingError out for random bytes', async () => {
    let seed = 99;
    for (let run = 0; run < 40; run++) {
      const junk = new Uint8Array(200 + run * 37);
      for (let i = 0; i < junk.length; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        // Mostly printable ASCII with some quotes, separators and high bytes.
        const r = seed >>> 24;
        junk[i] = r < 200 ? 0x20 + (r % 95) : [0x22, 0x2c, 0x0a, 0x0d, 0xc3, 0xa9, 0xff][r % 7] as number;
      }
      try {
        await runProcessor(junk, { chunkSizes: [7, 13, 1] });
      } catch (error) {
        expect(error).toBeInstanceOf(ProcessingError);
      }
    }
  });
});
