import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binEdges } from '../../../lambdas/processors/profile/build-report';
import { column, profile, seededRandom } from './helpers';

/**
 * On random files, every figure the report calls exact equals a plain reference computation:
 * sort (quantiles, smallest, largest, outliers), count (zeros, negatives, bins) and group
 * (distinct, top values, duplicate rows).
 */
const numberCell = fc.oneof(
  fc.integer({ min: -50, max: 50 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => String(Math.round(v * 100) / 100)),
  fc.constant(''),
);
const textCell = fc.oneof(fc.constantFrom('a', 'b', 'Tokyo', 'São Paulo', '東京', 'x y', '0E0', '0E1'), fc.string({ minLength: 1, maxLength: 6 }).map((s) => s.replace(/[",\n\r\s]/g, 'q')));

const file = fc.array(fc.tuple(numberCell, textCell), { minLength: 1, maxLength: 600 });

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

describe('exact figures equal a reference computation on random files', () => {
  it('numbers, text, duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (rows) => {
        const csv = `num,text\n${rows.map(([n, t]) => `${n},${t}`).join('\n')}\n`;
        const r = await profile(csv);
        // Reference: the values as the file holds them.
        const texts = rows.map(([, t]) => t);
        const nums = rows.map(([n]) => n).filter((n) => n !== '').map(Number);
        const sorted = [...nums].sort((a, b) => a - b);

        // Group: distinct and top values of the text column (as written), duplicate rows.
        const t = column(r, 'text');
        const counts = new Map<string, number>();
        for (const v of texts) counts.set(v, (counts.get(v) ?? 0) + 1);
        const isNumberLike = [...counts.keys()].every((v) => /^-?\d+(\.\d+)?$/.test(v));
        if (t.type === 'string' && !isNumberLike) {
          expect(t.distinct).toEqual({ value: counts.size, exact: true });
          const top = [...counts].sort((a, b) => b[1] - a[1] || (Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])))).slice(0, 10);
          expect(t.topValues.map((x) => [x.value, x.count])).toEqual(top);
        }
        const seen = new Set<string>();
        let dup = 0;
        for (const [n, x] of rows) {
          // Rows compare cell by cell, numbers by value (1.5 = 1.50, 0E0 = 0E1), as a database would.
          const byValue = (v: string): string => (/^[+-]?(?:[1-9]\d*|0)?(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(v) && /\d/.test(v) ? `#${Number(v)}` : v);
          const key = `${n === '' ? '' : Number(n)}\u0000${byValue(x)}`;
          if (seen.has(key)) dup++;
          else seen.add(key);
        }
        expect(r.file.duplicateRows).toEqual({ count: dup, exact: true });

        // Sort and count: the number column.
        const c = column(r, 'num');
        if (nums.length === 0 || (c.type !== 'integer' && c.type !== 'decimal')) return;
        const s = c.stats;
        expect(s).not.toBeNull();
        if (s === null) return;
        expect(s.exactQuantiles).toBe(true);
        expect(s.quantiles).toEqual({ p1: quantile(sorted, 0.01), p5: quantile(sorted, 0.05), p25: quantile(sorted, 0.25), p50: quantile(sorted, 0.5), p75: quantile(sorted, 0.75), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99) });
        expect(s.smallest).toEqual(sorted.slice(0, 5));
        expect(s.largest).toEqual(sorted.slice(-5).reverse());
        expect(s.zeros).toBe(nums.filter((v) => v === 0).length);
        expect(s.negatives).toBe(nums.filter((v) => v < 0).length);
        const iqr = s.quantiles.p75 - s.quantiles.p25;
        const low = iqr > 0 ? nums.filter((v) => v < s.quantiles.p25 - 3 * iqr).length : 0;
        const high = iqr > 0 ? nums.filter((v) => v > s.quantiles.p75 + 3 * iqr).length : 0;
        expect([s.outliers.low, s.outliers.high]).toEqual([low, high]);
        const distinctValues = new Set(nums).size;
        expect(c.distinct).toEqual({ value: distinctValues, exact: true });
        // Bins: recomputed from the edges rule, and each bin holds exactly its [from, to).
        if (s.min !== s.max) {
          const edges = binEdges(s.min, s.max, c.type === 'integer');
          expect(s.histogram.map((b) => b.from)).toEqual(edges.slice(0, -1));
          s.histogram.forEach((b, i) => {
            const last = i === s.histogram.length - 1;
            expect(b.count).toBe(nums.filter((v) => v >= b.from && (last ? v <= b.to : v < b.to)).length);
          });
        }
      }),
      { numRuns: 60, seed: 14 },
    );
  }, 120_000);

  it('correlations: Pearson and Spearman (ties averaged) equal a plain computation', async () => {
    const small = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.constant(''));
    const rowsOf = fc.array(fc.tuple(small, numberCell, small), { minLength: 4, maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(rowsOf, async (rows) => {
        const r = await profile(`a,b,c\n${rows.map((row) => row.join(',')).join('\n')}\n`);
        const columns = ['a', 'b', 'c'].filter((name) => {
          const c = column(r, name);
          return (c.type === 'integer' || c.type === 'decimal') && c.stats !== null && c.stats.min !== c.stats.max;
        });
        if (columns.length < 2) {
          expect(r.correlations).toBeNull();
          return;
        }
        const values = columns.map((name) => rows.map((row) => row[['a', 'b', 'c'].indexOf(name)] as string).map((v) => (v === '' ? Number.NaN : Number(v))));
        const pearson = (x: number[], y: number[]): number | null => {
          const pairs = x.map((v, i) => [v, y[i] as number] as const).filter(([p, q]) => !Number.isNaN(p) && !Number.isNaN(q));
          if (pairs.length < 3) return null;
          const mx = pairs.reduce((t, [p]) => t + p, 0) / pairs.length;
          const my = pairs.reduce((t, [, q]) => t + q, 0) / pairs.length;
          let sxy = 0;
          let sxx = 0;
          let syy = 0;
          for (const [p, q] of pairs) {
            sxy += (p - mx) * (q - my);
            sxx += (p - mx) ** 2;
            syy += (q - my) ** 2;
          }
          return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
        };
        // Ranks by sorting (index, value) pairs; a run of equal values shares its average rank.
        const ranks = (x: number[]): number[] => {
          const order = x.map((v, i) => [v, i] as const).filter(([v]) => !Number.isNaN(v)).sort((p, q) => p[0] - q[0]);
          const out = x.map(() => Number.NaN);
          for (let i = 0; i < order.length; ) {
            let j = i;
            while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
            for (let k = i; k <= j; k++) out[(order[k] as readonly [number, number])[1]] = (i + j) / 2 + 1;
            i = j + 1;
          }
          return out;
        };
        const close = (got: ReadonlyArray<ReadonlyArray<number | null>>, want: Array<Array<number | null>>): void => {
          want.forEach((row, i) => row.forEach((w, j) => {
            const g = (got[i] as ReadonlyArray<number | null>)[j] as number | null;
            if (w === null) expect(g).toBeNull();
            else expect(g).toBeCloseTo(w, 9);
          }));
        };
        const corr = r.correlations;
        expect(corr?.columns).toEqual(columns);
        if (corr === null) return;
        close(corr.pearson, values.map((x) => values.map((y) => pearson(x, y))));
        const ranked = values.map(ranks);
        expect(corr.spearman).not.toBeNull();
        close(corr.spearman ?? [], ranked.map((x) => ranked.map((y) => pearson(x, y))));
      }),
      { numRuns: 60, seed: 15 },
    );
  }, 120_000);

  it('correlations of columns that are all numbers for many batches, then not (held through their sorted numbers, then copied)', async () => {
    // Each column is numbers only up to its break row (maybe never), then gets a missing cell or
    // text there; files span several batches (the first is cut at 64 rows, then 4,096 each).
    const spec = fc.record({
      rows: fc.integer({ min: 70, max: 9000 }),
      breaks: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { minLength: 3, maxLength: 3 }),
      text: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    });
    await fc.assert(
      fc.asyncProperty(spec, async ({ rows, breaks, text, seed }) => {
        const random = seededRandom(seed);
        const at = breaks.map((b) => (b === null ? -1 : Math.floor(b * rows)));
        const cells = Array.from({ length: rows }, (_, r) => [
          String(Math.floor(random() * 50)),
          String(Math.round(random() * 1e6) / 100),
          String(r % 7 === 0 ? -r : r),
        ].map((v, c) => (r === at[c] ? (text ? 'n/a!' : '') : v)));
        const r = await profile(`a,b,c\n${cells.map((row) => row.join(',')).join('\n')}\n`, { memoryBudgetMb: 1024 });
        const values = [0, 1, 2].map((c) => cells.map((row) => (row[c] === '' || row[c] === 'n/a!' ? Number.NaN : Number(row[c]))));
        const pearson = (x: number[], y: number[]): number | null => {
          const pairs = x.map((v, i) => [v, y[i] as number] as const).filter(([p, q]) => !Number.isNaN(p) && !Number.isNaN(q));
          const mx = pairs.reduce((t, [p]) => t + p, 0) / pairs.length;
          const my = pairs.reduce((t, [, q]) => t + q, 0) / pairs.length;
          let sxy = 0;
          let sxx = 0;
          let syy = 0;
          for (const [p, q] of pairs) {
            sxy += (p - mx) * (q - my);
            sxx += (p - mx) ** 2;
            syy += (q - my) ** 2;
          }
          return sxy / Math.sqrt(sxx * syy);
        };
        const ranks = (x: number[]): number[] => {
          const sorted = x.filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
          const first = new Map<number, number>();
          const last = new Map<number, number>();
          sorted.forEach((v, i) => {
            if (!first.has(v)) first.set(v, i);
            last.set(v, i);
          });
          return x.map((v) => (Number.isNaN(v) ? v : ((first.get(v) as number) + (last.get(v) as number)) / 2 + 1));
        };
        const corr = r.correlations;
        expect(corr?.columns).toEqual(['a', 'b', 'c']);
        expect(corr?.exact).toBe(true);
        expect(corr?.rows).toBe(rows);
        const ranked = values.map(ranks);
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            expect(corr?.pearson[i]?.[j]).toBeCloseTo(pearson(values[i] as number[], values[j] as number[]) as number, 9);
            expect(corr?.spearman?.[i]?.[j]).toBeCloseTo(pearson(ranked[i] as number[], ranked[j] as number[]) as number, 9);
          }
        }
      }),
      { numRuns: 12, seed: 7 },
    );
  }, 240_000);
});
