import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProfileReport } from '../../../lambdas/processors/profile/report-model';
import { column, profile, runProcessor } from './helpers';

/**
 * The findings of issue 14, on the real public files they were found with (the `vega-datasets`
 * package, a dev dependency). Each reference figure is computed here from the file itself (parse,
 * sort, count, group), not copied from a report.
 */
const data = join(dirname(fileURLToPath(import.meta.url)), '../../../node_modules/vega-datasets/data');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(data, name)));

/** RFC 4180 records of a CSV file (the reference parser: plain, slow, obviously right). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function csvColumn(name: string, col: string): string[] {
  const [header, ...rows] = parseCsv(new TextDecoder().decode(read(name)));
  const i = (header as string[]).indexOf(col);
  return rows.map((r) => (r[i] ?? '').trim()).filter((v) => v !== '');
}

function jsonColumn(name: string, col: string): unknown[] {
  const records = JSON.parse(new TextDecoder().decode(read(name))) as Array<Record<string, unknown>>;
  return records.map((r) => r[col]).filter((v) => v !== null && v !== undefined);
}

const reports = new Map<string, Promise<ProfileReport>>();
function report(name: string): Promise<ProfileReport> {
  let r = reports.get(name);
  if (r === undefined) {
    r = profile(read(name), { fileName: name, chunkSizes: [65536] });
    reports.set(name, r);
  }
  return r;
}

/** Each bin holds exactly the values in [from, to) (the last one [from, to]). */
function expectHistogramMatches(values: readonly number[], r: ProfileReport, name: string): void {
  const bins = column(r, name).stats?.histogram ?? [];
  expect(bins.length).toBeGreaterThan(1);
  for (const [i, b] of bins.entries()) {
    const last = i === bins.length - 1;
    const truth = values.filter((v) => v >= b.from && (last ? v <= b.to : v < b.to)).length;
    expect({ bin: i, from: b.from, to: b.to, count: b.count }).toEqual({ bin: i, from: b.from, to: b.to, count: truth });
  }
  expect(bins.reduce((a, b) => a + b.count, 0)).toBe(values.length);
}

function topTen(values: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 10);
}

describe('finding 1: histogram bins are [from, to), a value on an edge goes up', () => {
  it('cars.json Acceleration', async () => {
    expectHistogramMatches(jsonColumn('cars.json', 'Acceleration') as number[], await report('cars.json'), 'Acceleration');
  });

  it('seattle-weather-hourly-normals.csv wind', async () => {
    expectHistogramMatches(csvColumn('seattle-weather-hourly-normals.csv', 'wind').map(Number), await report('seattle-weather-hourly-normals.csv'), 'wind');
  });
});

describe('finding 2: distinct counts are exact', () => {
  it('airports.csv iata (all unique)', async () => {
    const c = column(await report('airports.csv'), 'iata');
    expect(c.distinct).toEqual({ value: new Set(csvColumn('airports.csv', 'iata')).size, exact: true });
    expect(c.distinct.value).toBe(3376);
  });

  it('zipcodes.csv longitude (numbers by value)', async () => {
    const c = column(await report('zipcodes.csv'), 'longitude');
    expect(c.distinct).toEqual({ value: new Set(csvColumn('zipcodes.csv', 'longitude').map(Number)).size, exact: true });
  });
});

describe('finding 3: top values are the true ones with true counts', () => {
  it.each([
    ['zipcodes.csv', 'city'],
    ['airports.csv', 'name'],
  ])('%s %s', async (file, name) => {
    const c = column(await report(file), name);
    expect(c.topValuesExact).toBe(true);
    expect(c.topValues.map((t) => [t.value, t.count])).toEqual(topTen(csvColumn(file, name)));
  });

  it('movies.json Title', async () => {
    const c = column(await report('movies.json'), 'Title');
    expect(c.topValues.map((t) => [t.value, t.count])).toEqual(topTen(jsonColumn('movies.json', 'Title').map(String)));
  });
});

describe('finding 4: histograms and duplicate rows are exact past 4,000 values', () => {
  it('seattle-weather-hourly-normals.csv temperature (8,759 values): whole counts, each right', async () => {
    const r = await report('seattle-weather-hourly-normals.csv');
    const c = column(r, 'temperature');
    expect(c.stats?.exactQuantiles).toBe(true);
    for (const b of c.stats?.histogram ?? []) expect(Number.isInteger(b.count)).toBe(true);
    expectHistogramMatches(csvColumn('seattle-weather-hourly-normals.csv', 'temperature').map(Number), r, 'temperature');
  });

  it('flights-200k.json duplicate rows', async () => {
    const records = JSON.parse(new TextDecoder().decode(read('flights-200k.json'))) as unknown[];
    const seen = new Set<string>();
    let duplicates = 0;
    for (const rec of records) {
      const key = JSON.stringify(rec);
      if (seen.has(key)) duplicates++;
      else seen.add(key);
    }
    const r = await report('flights-200k.json');
    expect(r.file.duplicateRows).toEqual({ count: duplicates, exact: true });
    expect(r.meta.exact).toBe(true);
  }, 60_000);
});

describe('finding 5: types people recognise', () => {
  it('ZIP codes with leading zeros stay text (zipcodes.csv zip_code)', async () => {
    const c = column(await report('zipcodes.csv'), 'zip_code');
    expect(c.type).toBe('string');
    expect(c.leadingZeroCodes).toBe(true);
    expect(c.stats).toBeNull();
    expect(c.topValues[0]?.value).toBe('00501');
    expect((await report('zipcodes.csv')).warnings.filter((w) => w.column === 'zip_code').map((w) => w.code)).toEqual(['suspected_id']);
  });

  it('a timestamp without a zone stays without one (seattle-weather-hourly-normals.csv date)', async () => {
    const r = await report('seattle-weather-hourly-normals.csv');
    const c = column(r, 'date');
    const first = csvColumn('seattle-weather-hourly-normals.csv', 'date')[0];
    expect(c.stats?.zoned).toBe(false);
    expect(c.stats?.text.min).toBe(first);
    const { artifacts } = await runProcessor(read('seattle-weather-hourly-normals.csv'), { fileName: 'w.csv' });
    const html = String(artifacts.find((a) => a.name === 'report.html')?.body);
    expect(html).toContain('2010-01-01 01:00:00<');
    expect(html).not.toContain('01:00:00Z');
  });

  it.each([
    ['gapminder-health-income.csv', ['income', 'population']],
    ['movies.json', ['US DVD Sales', 'US Gross', 'IMDB Votes']],
    ['us-employment.csv', ['nonfarm', 'private', 'goods_producing']],
  ])('measurements are not called identifiers (%s)', async (file, names) => {
    const r = await report(file);
    for (const name of names) expect({ name, codes: r.warnings.filter((w) => w.column === name).map((w) => w.code) }).not.toMatchObject({ codes: expect.arrayContaining(['suspected_id']) });
  });

  it('identifiers still are: airports.csv iata', async () => {
    const r = await report('airports.csv');
    expect(r.warnings.find((w) => w.column === 'iata' && w.code === 'suspected_id')?.params).toEqual({ reason: 'name' });
  });

  it('a mean that is floating-point noise is shown as 0 (windvectors.csv longitude)', async () => {
    const values = csvColumn('windvectors.csv', 'longitude').map(Number);
    const c = column(await report('windvectors.csv'), 'longitude');
    expect(Math.abs(c.stats?.mean ?? 1)).toBeLessThan(1e-12);
    expect(c.stats?.meanIsNoise).toBe(true);
    // The values themselves are symmetric around 0: the true mean is 0.
    expect([...values].sort((a, b) => a - b).reduce((a, v) => a + v, 0) / values.length).toBeCloseTo(0, 10);
  });

  it('.json arrays of records are accepted (cars.json)', async () => {
    const r = await report('cars.json');
    expect(r.file.format).toBe('json');
    expect(r.file.rows).toBe((JSON.parse(new TextDecoder().decode(read('cars.json'))) as unknown[]).length);
    expect(column(r, 'Horsepower').type).toBe('integer');
  });

  it('invalid UTF-8 names its real byte offset', async () => {
    const head = new TextEncoder().encode(`a,b\n${'x,1\n'.repeat(500)}`);
    const bytes = new Uint8Array(head.length + 5);
    bytes.set(head);
    bytes.set([0x79, 0x2c, 0xff, 0x0a, 0x0a], head.length);
    await expect(runProcessor(bytes, { chunkSizes: [1000] })).rejects.toMatchObject({ code: 'invalid_encoding', message: expect.stringContaining(`byte ${(head.length + 2).toLocaleString('en-US')}`) });
  });
});
