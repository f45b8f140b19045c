import { describe, expect, it } from 'vitest';
import { column, profile, seededRandom } from './helpers';

/**
 * Small generated files (everything fits the exact phase of every sketch), each statistic
 * checked against a reference computed directly from the generated values.
 */
interface Generated {
  readonly csv: string;
  readonly ints: Array<number | null>;
  readonly decimals: number[];
  readonly cities: string[];
  readonly dates: string[];
  readonly flags: boolean[];
  readonly words: string[];
}

function generate(rows: number, seed: number): Generated {
  const rnd = seededRandom(seed);
  const cityNames = ['Tokyo', 'Zürich, CH', 'São Paulo', 'Lagos', 'New "York"'];
  const g = { ints: [] as Array<number | null>, decimals: [] as number[], cities: [] as string[], dates: [] as string[], flags: [] as boolean[], words: [] as string[] };
  const lines = ['int,decimal,city,date,flag,word'];
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  for (let i = 0; i < rows; i++) {
    const int = rnd() < 0.1 ? null : Math.floor(rnd() * 200) - 50;
    const dec = Math.round(rnd() * 100000) / 100;
    const city = cityNames[Math.floor(rnd() * cityNames.length)] as string;
    const date = new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 900) * 86_400_000).toISOString().slice(0, 10);
    const flag = rnd() < 0.3;
    const word = 'x'.repeat(1 + Math.floor(rnd() * 12)) + (rnd() < 0.2 ? 'é' : '');
    g.ints.push(int);
    g.decimals.push(dec);
    g.cities.push(city);
    g.dates.push(date);
    g.flags.push(flag);
    g.words.push(word);
    lines.push([int === null ? '' : String(int), String(dec), quote(city), date, String(flag), word].join(','));
  }
  return { csv: `${lines.join('\n')}\n`, ...g };
}

function exactQuantile(sorted: readonly number[], q: number): number {
  // The sketch returns the smallest value whose cumulative share reaches q.
  const idx = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return sorted[idx] as number;
}

function counts<T>(values: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

describe.each([
  [50, 1],
  [400, 2],
  [900, 3],
])('exact statistics on %i generated rows (seed %i)', (rows, seed) => {
  const g = generate(rows, seed);

  it('file facts', async () => {
    const r = await profile(g.csv);
    expect(r.schemaVersion).toBe(2);
    expect(r.file).toMatchObject({ rows, columns: 6, format: 'csv', delimiter: ',', delimiterName: 'comma', hasHeader: true, encoding: 'utf-8' });
    expect(r.file.bytes).toBe(new TextEncoder().encode(g.csv).length);
  });

  it('integer column: count, missing, distinct, min, max, mean, stddev, quantiles, histogram, top values', async () => {
    const r = await profile(g.csv);
    const c = column(r, 'int');
    const present = g.ints.filter((v): v is number => v !== null);
    const sorted = [...present].sort((a, b) => a - b);
    const mean = present.reduce((a, b) => a + b, 0) / present.length;
    const sd = Math.sqrt(present.reduce((a, b) => a + (b - mean) ** 2, 0) / (present.length - 1));
    expect(c.type).toBe('integer');
    expect(c.typeShare).toBe(1);
    expect(c.count).toBe(rows);
    expect(c.missing).toBe(rows - present.length);
    expect(c.distinct).toEqual({ value: new Set(present).size, exact: true });
    const s = c.stats;
    expect(s).not.toBeNull();
    expect(s?.min).toBe(sorted[0]);
    expect(s?.max).toBe(sorted[sorted.length - 1]);
    expect(s?.mean).toBeCloseTo(mean, 9);
    expect(s?.stddev).toBeCloseTo(sd, 9);
    expect(s?.exactQuantiles).toBe(true);
    expect(s?.quantiles).toEqual({
      p1: exactQuantile(sorted, 0.01),
      p5: exactQuantile(sorted, 0.05),
      p25: exactQuantile(sorted, 0.25),
      p50: exactQuantile(sorted, 0.5),
      p75: exactQuantile(sorted, 0.75),
      p95: exactQuantile(sorted, 0.95),
      p99: exactQuantile(sorted, 0.99),
    });
    const bins = s?.histogram ?? [];
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(present.length);
    for (const [i, b] of bins.entries()) {
      const last = i === bins.length - 1;
      expect(b.count).toBe(present.filter((v) => v >= b.from && (last ? v <= b.to : v < b.to)).length);
    }
    // Ties: numbers in ascending order.
    const truth = [...counts(present).entries()].sort((a, b) => b[1] - a[1] || (a[0] as number) - (b[0] as number)).slice(0, 10);
    expect(c.topValues.map((t) => [Number(t.value), t.count])).toEqual(truth);
    expect(c.topValuesExact).toBe(true);
  });

  it('decimal column', async () => {
    const r = await profile(g.csv);
    const c = column(r, 'decimal');
    const sorted = [...g.decimals].sort((a, b) => a - b);
    const mean = g.decimals.reduce((a, b) => a + b, 0) / rows;
    expect(c.type).toBe(g.decimals.every(Number.isInteger) ? 'integer' : 'decimal');
    expect(c.missing).toBe(0);
    expect(c.distinct.value).toBe(new Set(g.decimals).size);
    expect(c.stats?.min).toBe(sorted[0]);
    expect(c.stats?.max).toBe(sorted[rows - 1]);
    expect(c.stats?.mean).toBeCloseTo(mean, 6);
    expect(c.stats?.quantiles.p50).toBe(exactQuantile(sorted, 0.5));
    expect(c.stats?.quantiles.p99).toBe(exactQuantile(sorted, 0.99));
  });

  it('string column with quoted delimiters and doubled quotes', async () => {
    const r = await profile(g.csv);
    const c = column(r, 'city');
    expect(c.type).toBe('string');
    expect(c.distinct).toEqual({ value: new Set(g.cities).size, exact: true });
    const truth = [...counts(g.cities).entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(c.topValues.map((t) => [t.value, t.count])).toEqual(truth);
    const lengths = g.cities.map((s) => [...s].length);
    expect(c.length).toEqual({ min: Math.min(...lengths), max: Math.max(...lengths) });
  });

  it('date column: range and median as instants', async () => {
    const r = await profile(g.csv);
    const c = column(r, 'date');
    const ms = g.dates.map((d) => Date.parse(`${d}T00:00:00Z`)).sort((a, b) => a - b);
    expect(c.type).toBe('date');
    expect(c.stats?.unit).toBe('epoch_ms');
    expect(c.stats?.min).toBe(ms[0]);
    expect(c.stats?.max).toBe(ms[rows - 1]);
    expect(c.stats?.quantiles.p50).toBe(exactQuantile(ms, 0.5));
    expect(c.distinct.value).toBe(new Set(g.dates).size);
  });

  it('boolean column', async () => {
    const r = await profile(g.csv);
    const c = column(r, 'flag');
    const trues = g.flags.filter(Boolean).length;
    expect(c.type).toBe('boolean');
    expect(c.boolean).toEqual({ true: trues, false: rows - trues });
  });

  it('character lengths count characters, not bytes', async () => {
    const r = await profile(g.csv);
    const c = column(r, 'word');
    const lengths = g.words.map((s) => [...s].length);
    expect(c.length).toEqual({ min: Math.min(...lengths), max: Math.max(...lengths) });
  });
});

describe('file-level facts', () => {
  it('counts duplicate rows exactly in a small file', async () => {
    const r = await profile('a,b\n1,x\n2,y\n1,x\n1,x\n3,z\n');
    expect(r.file.duplicateRows).toEqual({ count: 2, exact: true });
    expect(r.warnings.map((w) => w.code)).toContain('duplicate_rows');
  });

  it('names columns column_1… when the first row is data', async () => {
    const r = await profile('1,2\n3,4\n');
    expect(r.file.hasHeader).toBe(false);
    expect(r.file.rows).toBe(2);
    expect(r.columns.map((c) => c.name)).toEqual(['column_1', 'column_2']);
  });

  it('makes duplicate and empty header names unique', async () => {
    const r = await profile('a,a,,b\nx,y,z,w\n');
    expect(r.columns.map((c) => c.name)).toEqual(['a', 'a_2', 'column_3', 'b']);
  });
});

describe('data-quality warnings', () => {
  const rows = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('\n');

  it.each([
    ['empty_column', `id,empty\n${rows(30, (i) => `${i},`)}\n`, 'empty'],
    ['mostly_missing', `id,sparse\n${rows(30, (i) => `${i},${i % 5 === 0 ? 'v' : ''}`)}\n`, 'sparse'],
    ['constant', `id,same\n${rows(30, (i) => `${i},k`)}\n`, 'same'],
    ['mixed_types', `id,n\n${rows(30, (i) => `${i},${i === 3 ? 'oops' : i}`)}\n`, 'n'],
    ['suspected_id', `id,v\n${rows(30, (i) => `${i},${i % 3}`)}\n`, 'id'],
    ['outliers', `id,v\n${rows(200, (i) => `${i},${i === 7 ? 1000000 : i % 10}`)}\n`, 'v'],
  ])('%s', async (code, csv, col) => {
    const r = await profile(csv);
    expect(r.warnings.filter((w) => w.column === col).map((w) => w.code)).toContain(code);
  });

  it('mixed_types names the values that do not fit', async () => {
    const r = await profile(`n\n${rows(30, (i) => (i === 3 ? 'oops' : String(i)))}\n`);
    const c = column(r, 'n');
    expect(c.type).toBe('integer');
    expect(c.typeShare).toBeCloseTo(29 / 30, 9);
    expect(c.nonConforming).toEqual(['oops']);
  });

  it('reports ragged rows as a warning, not a failure', async () => {
    const r = await profile('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    expect(r.file.raggedRows).toEqual({ short: 1, long: 1, examples: [2, 3] });
    const w = r.warnings.find((x) => x.code === 'ragged_rows');
    expect(w?.message).toContain('2 rows');
    expect(column(r, 'c').missing).toBe(1);
  });
});
