import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { column, profile } from './helpers';

const fixture = (name: string): Uint8Array => readFileSync(join(import.meta.dirname, '../../fixtures/profile', name));

describe('numbers written with thousands separators or a decimal comma', () => {
  it('reads quoted thousands separators in a comma-separated file as numbers, with a note (sales-us.csv)', async () => {
    const r = await profile(fixture('sales-us.csv'), { fileName: 'sales-us.csv' });
    const revenue = column(r, 'revenue');
    expect(revenue.type).toBe('decimal');
    expect(revenue.numberFormat).toBe('thousands_separators');
    const values = [12345.5, 9870, 1234567.25, 450.75, 10000, 34560.1];
    expect(revenue.stats?.min).toBe(450.75);
    expect(revenue.stats?.max).toBe(1234567.25);
    expect(revenue.stats?.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
    const units = column(r, 'units');
    expect(units.type).toBe('integer');
    expect(units.numberFormat).toBe('thousands_separators');
    expect(units.stats?.smallest).toEqual([45, 987, 1000, 1204, 2310]);
    const notes = r.warnings.filter((w) => w.code === 'number_format');
    expect(notes.map((w) => [w.column, w.params.format, w.params.values])).toEqual([
      ['units', 'thousands_separators', 4],
      ['revenue', 'thousands_separators', 5],
    ]);
    expect(notes[1]?.message).toBe('5 values written with thousands separators (1,234.50 = 1234.5) were read as numbers.');
  });

  it('reads decimal commas in a semicolon-separated file as numbers; "1,234" is 1.234 there (preise-de.csv)', async () => {
    const r = await profile(fixture('preise-de.csv'), { fileName: 'preise-de.csv', lang: 'ja' });
    expect(r.file.delimiterName).toBe('semicolon');
    const price = column(r, 'Preis');
    expect(price.type).toBe('decimal');
    expect(price.numberFormat).toBe('decimal_comma');
    expect(price.stats?.smallest).toEqual([0.89, 1.99, 2.49, 3.5, 12.5]);
    const weight = column(r, 'Gewicht');
    expect(weight.stats?.smallest).toEqual([0.25, 0.5, 1.234, 1.5, 2]);
    expect(column(r, 'Menge').numberFormat).toBe('plain');
    const note = r.warnings.find((w) => w.code === 'number_format' && w.column === 'Preis');
    expect(note?.params).toEqual({ format: 'decimal_comma', values: 5 });
  });

  it('a column keeps the first form it reads: the other form is text there, and a mixed-types alert names it', async () => {
    // Past the first batch (64 rows), a decimal comma in a column of thousands separators.
    const rows = Array.from({ length: 100 }, (_, i) => `"${i + 1},${String(i).padStart(3, '0')}.50"`);
    rows.push('"1,5"');
    const r = await profile(`amount\n${rows.join('\n')}\n`);
    const amount = column(r, 'amount');
    expect(amount.type).toBe('decimal');
    expect(amount.numberFormat).toBe('thousands_separators');
    expect(amount.kinds.string).toBe(1);
    expect(amount.nonConforming).toEqual(['1,5']);
    expect(r.warnings.some((w) => w.code === 'mixed_types' && w.column === 'amount')).toBe(true);
  });

  it.each([
    ['separators in the wrong places', ['"1,23,456"', '"12,3456"', '"1,234,56"'], 'string'],
    ['a leading zero before thousands', ['"0,123,456"'], 'string'],
  ])('%s stay text', async (_name, cells, type) => {
    const r = await profile(`v\n${cells.join('\n')}\n`);
    expect(column(r, 'v').type).toBe(type);
  });

  it('JSON strings with commas stay text: JSON has numbers of its own', async () => {
    const r = await profile('{"v":"1,234"}\n{"v":"2,500"}\n', { fileName: 'x.jsonl' });
    expect(column(r, 'v').type).toBe('string');
    expect(column(r, 'v').numberFormat).toBeNull();
  });
});

describe('numbers-only columns are counted from their sorted values, also when text arrives late', () => {
  it('text after many numbers: top values and distinct as written, exact', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => String(i % 1000));
    lines.push('n/a yet', 'unknown', 'unknown');
    const r = await profile(`v\n${lines.join('\n')}\n`);
    const v = column(r, 'v');
    expect(v.type).toBe('integer');
    expect(v.distinct).toEqual({ value: 1002, exact: true });
    expect(v.topValues[0]).toMatchObject({ count: 5, error: 0 });
  });

  it('a mostly-text column whose first values are numbers lists them as written', async () => {
    const lines = ['7', '7', '12.5', ...Array.from({ length: 30 }, (_, i) => `name ${i % 3}`)];
    const r = await profile(`v\n${lines.join('\n')}\n`);
    const v = column(r, 'v');
    expect(v.type).toBe('string');
    expect(v.distinct).toEqual({ value: 5, exact: true });
    expect(v.topValues.map((t) => [t.value, t.count])).toEqual([
      ['name 0', 10],
      ['name 1', 10],
      ['name 2', 10],
      ['7', 2],
      ['12.5', 1],
    ]);
  });

  it('past a small budget, the numbers held and the text go to the sketches together', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => String(i));
    lines.push(...Array.from({ length: 2000 }, () => 'text'));
    const r = await profile(`v\n${lines.join('\n')}\n`, { memoryBudgetMb: 0.6 });
    const v = column(r, 'v');
    expect(v.distinct.exact).toBe(false);
    expect(Math.abs(v.distinct.value - 60_001) / 60_001).toBeLessThan(0.05);
    // An upper bound within its stated error of the true 2,000.
    const text = v.topValues[0];
    expect(text?.value).toBe('text');
    expect(text?.count).toBeGreaterThanOrEqual(2000);
    expect((text?.count ?? 0) - (text?.error ?? 0)).toBeLessThanOrEqual(2000);
    expect(r.meta.exact).toBe(false);
  });
});
