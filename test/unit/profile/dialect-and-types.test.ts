import { describe, expect, it } from 'vitest';
import { classify, ValueKind } from '../../../lambdas/processors/profile/value-parser';
import { column, profile, utf8 } from './helpers';

describe('delimiter and quoting (golden files)', () => {
  it.each([
    ['comma', 'a,b,c\n1,2,3\n4,5,6\n', ',', 'comma'],
    ['semicolon (European decimal commas inside)', 'a;b;c\n"1,5";2;3\n"4,5";5;6\n', ';', 'semicolon'],
    ['tab', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n', '\t', 'tab'],
    ['pipe', 'a|b|c\n1|2|3\n4|5|6\n', '|', 'pipe'],
    ['comma with quoted commas and a semicolon in text', 'a,b,c\n"x, y",2,"semi;colon"\n"p, q",5,6\n', ',', 'comma'],
  ])('%s', async (_name, csv, delimiter, delimiterName) => {
    const r = await profile(csv);
    expect(r.file.delimiter).toBe(delimiter);
    expect(r.file.delimiterName).toBe(delimiterName);
    expect(r.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(r.file.rows).toBe(2);
  });

  it('prefers tab for .tsv files', async () => {
    const r = await profile('a\tb,c\n1\t2,3\n', { fileName: 'data.tsv' });
    expect(r.file.delimiterName).toBe('tab');
    expect(r.columns.map((c) => c.name)).toEqual(['a', 'b,c']);
  });

  it('keeps embedded newlines, doubled quotes and quoted delimiters inside one value', async () => {
    const r = await profile('id,text\n1,"line one\nline two"\n2,"she said ""hi"", then left"\n3,"a,b"\n');
    expect(r.file.rows).toBe(3);
    expect(column(r, 'text').topValues.map((t) => t.value).sort()).toEqual(['a,b', 'line one\nline two', 'she said "hi", then left']);
    expect(r.file.raggedRows).toEqual({ short: 0, long: 0, examples: [] });
  });

  it('strips a UTF-8 BOM and reports it', async () => {
    const r = await profile('\uFEFFname,n\nJosé,1\n');
    expect(r.file.encoding).toBe('utf-8 (with BOM)');
    expect(r.columns[0]?.name).toBe('name');
  });

  it.each([
    ['CRLF', 'a,b\r\n1,x\r\n2,y\r\n'],
    ['CR only', 'a,b\r1,x\r2,y\r'],
    ['no final newline', 'a,b\n1,x\n2,y'],
    ['blank lines', 'a,b\n\n1,x\n\n2,y\n\n'],
    ['CRLF with quotes', 'a,b\r\n1,"x"\r\n2,"y"\r\n'],
  ])('line ends: %s', async (_name, csv) => {
    const r = await profile(csv);
    expect(r.file.rows).toBe(2);
    expect(column(r, 'b').topValues.map((t) => t.value).sort()).toEqual(['x', 'y']);
    expect(column(r, 'a').stats?.max).toBe(2);
  });

  it('detects ascii vs utf-8', async () => {
    expect((await profile('a\nx\n')).file.encoding).toBe('ascii');
    expect((await profile('a\n東京\n')).file.encoding).toBe('utf-8');
  });

  it('counts text after a closing quote as malformed and keeps going', async () => {
    const r = await profile('a,b\n"x"y,1\n"z",2\n');
    expect(r.file.malformedQuotedFields).toBe(1);
    expect(r.file.rows).toBe(2);
    expect(r.warnings.map((w) => w.code)).toContain('malformed_quotes');
  });
});

describe('JSON Lines', () => {
  it('profiles keys as columns, nulls as missing, late keys as missing before', async () => {
    const text = ['{"id":1,"name":"a","score":1.5}', '{"id":2,"name":null,"score":2}', '{"id":3,"name":"c","score":2.5,"extra":true}', ''].join('\n');
    const r = await profile(text, { fileName: 'x.jsonl' });
    expect(r.file.format).toBe('jsonl');
    expect(r.file.delimiter).toBeNull();
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['name', 'string'],
      ['score', 'decimal'],
      ['extra', 'boolean'],
    ]);
    expect(column(r, 'name').missing).toBe(1);
    expect(column(r, 'extra').missing).toBe(2);
    expect(column(r, 'score').stats?.mean).toBeCloseTo(2, 9);
  });

  it('counts empty strings as missing wherever they sit among other values (between digits too)', async () => {
    // JSON values are copied one after another into one buffer: an empty value then starts
    // where the next value begins and ends where the previous one ended, here both digits.
    const text = Array.from({ length: 20 }, (_, i) => `{"a":"${i + 1}5","b":"","c":"7${i}","d":""}`).join('\n');
    const r = await profile(text, { fileName: 'x.jsonl' });
    for (const name of ['b', 'd']) {
      expect(column(r, name).missing).toBe(20);
      expect(column(r, name).kinds.string).toBe(0);
    }
    expect(column(r, 'a').type).toBe('integer');
    expect(column(r, 'c').missing).toBe(0);
  });

  it('skips lines that are not objects and says so', async () => {
    const r = await profile('{"a":1}\nnot json\n[1,2]\n{"a":2}\n', { fileName: 'x.ndjson' });
    expect(r.file.rows).toBe(2);
    expect(r.file.invalidJsonLines).toBe(2);
    expect(r.warnings.find((w) => w.code === 'invalid_json_lines')?.message).toContain('line 2, 3');
  });

  it('is recognised by content for .txt uploads', async () => {
    const r = await profile('{"a":1}\n{"a":2}\n', { fileName: 'data.txt' });
    expect(r.file.format).toBe('jsonl');
  });
});

describe('type inference (golden values)', () => {
  const kindOf = (text: string): ValueKind => {
    const bytes = utf8(text);
    return classify(bytes, 0, bytes.length);
  };

  it.each([
    ['0', ValueKind.Integer],
    ['-42', ValueKind.Integer],
    ['+7', ValueKind.Integer],
    // A leading zero marks a code (ZIP, product code): text, not the number 7.
    ['007', ValueKind.String],
    ['0', ValueKind.Integer],
    ['0.5', ValueKind.Decimal],
    ['-007', ValueKind.String],
    ['  12  ', ValueKind.Integer],
    ['123456789012345678901', ValueKind.Integer],
    ['3.14', ValueKind.Decimal],
    ['-.5', ValueKind.Decimal],
    ['1e10', ValueKind.Decimal],
    ['1.5E-3', ValueKind.Decimal],
    ['1,234', ValueKind.String],
    ['12abc', ValueKind.String],
    ['-', ValueKind.String],
    ['.', ValueKind.String],
    ['1e', ValueKind.String],
    ['true', ValueKind.Boolean],
    ['FALSE', ValueKind.Boolean],
    ['Yes', ValueKind.Boolean],
    ['no', ValueKind.Boolean],
    ['2024-02-29', ValueKind.Date],
    ['2023-02-29', ValueKind.String],
    ['2024-13-01', ValueKind.String],
    ['2024/01/31', ValueKind.Date],
    ['2024-01-31T10:20', ValueKind.DateTime],
    ['2024-01-31 10:20:30', ValueKind.DateTime],
    ['2024-01-31T10:20:30.123Z', ValueKind.DateTime],
    ['2024-01-31T10:20:30+09:00', ValueKind.DateTime],
    ['2024-01-31T25:00', ValueKind.String],
    ['31/01/2024', ValueKind.String],
    ['', ValueKind.Missing],
    ['   ', ValueKind.Missing],
    ['NA', ValueKind.Missing],
    ['n/a', ValueKind.Missing],
    ['NULL', ValueKind.Missing],
    ['None', ValueKind.Missing],
    ['NaN', ValueKind.Missing],
    ['hello', ValueKind.String],
    ['東京都', ValueKind.String],
  ])('%j is %s', (text, kind) => {
    expect(kindOf(text)).toBe(kind);
  });

  it('parses numbers exactly as Number() does', async () => {
    const { parseNumber, parsed } = await import('../../../lambdas/processors/profile/value-parser');
    for (const text of ['0.1', '74977.16', '-123.456', '999999999999999', '1.7976931348623157e308', '0.000001', '12345.678901234']) {
      const bytes = utf8(text);
      parseNumber(bytes, 0, bytes.length);
      expect(parsed.value, text).toBe(Number(text));
    }
  });

  it('puts instants at UTC (offsets applied)', async () => {
    const r = await profile('t\n2024-01-31T10:00:00+09:00\n2024-01-31T01:00:00Z\n');
    const c = column(r, 't');
    expect(c.type).toBe('datetime');
    expect(c.stats?.min).toBe(Date.parse('2024-01-31T01:00:00Z'));
    expect(c.stats?.max).toBe(Date.parse('2024-01-31T01:00:00Z'));
  });

  it.each([
    ['all integers', ['1', '2', '3'], 'integer', 1],
    ['integers and decimals', ['1', '2.5', '3'], 'decimal', 1],
    ['dates and datetimes', ['2024-01-01', '2024-01-02T10:00'], 'datetime', 1],
    ['booleans', ['true', 'false', 'yes'], 'boolean', 1],
    ['mostly integers', ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'x'], 'integer', 10 / 11],
    ['half numbers', ['1', '2', 'a', 'b'], 'string', 1],
  ])('column of %s is %s', async (_name, values, type, share) => {
    const r = await profile(`v\n${values.join('\n')}\n`);
    expect(column(r, 'v').type).toBe(type);
    expect(column(r, 'v').typeShare).toBeCloseTo(share, 9);
  });
});
