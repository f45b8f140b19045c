import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashBytes, hashNumber, mix32 } from '../../../lambdas/processors/profile/hashing';
import { HyperLogLog } from '../../../lambdas/processors/profile/hyperloglog';
import { KllSketch } from '../../../lambdas/processors/profile/kll-sketch';
import { RowDuplicates } from '../../../lambdas/processors/profile/row-duplicates';
import { RunningStats } from '../../../lambdas/processors/profile/running-stats';
import { TopValues } from '../../../lambdas/processors/profile/top-values';
import { rankError, seededRandom, utf8 } from './helpers';

// Fixed seeds: the sketches are randomised algorithms, so the runs are pinned to stay repeatable.
const FC = { seed: 20261122, numRuns: 12 } as const;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

describe('HyperLogLog', () => {
  it('estimates distinct counts within 2 % (precision 15) across cardinalities', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 400_000 }), fc.integer(), (n, salt) => {
        const hll = new HyperLogLog(15);
        for (let i = 0; i < n; i++) hll.add(mix32(i ^ Math.imul(salt, 0x9e3779b1)) ^ mix32(i + salt));
        expect(Math.abs(hll.estimate() - n) / n).toBeLessThanOrEqual(0.02);
      }),
      FC,
    );
  });

  it('is exact-ish for tiny sets and ignores repeats', () => {
    const hll = new HyperLogLog(15);
    for (let r = 0; r < 50; r++) for (let i = 0; i < 10; i++) hll.add(hashNumber(i));
    expect(Math.round(hll.estimate())).toBe(10);
  });

  it('addAll (with a stride) sets the same registers as add one by one', () => {
    const hashes = Int32Array.from({ length: 30_000 }, (_, i) => mix32(i * 2654435761));
    const one = new HyperLogLog(12);
    for (let i = 3; i < hashes.length; i += 3) one.add(hashes[i] as number);
    const all = new HyperLogLog(12);
    all.addAll(hashes, 3, hashes.length, 3);
    expect(all.registers).toEqual(one.registers);
  });

  it('merging two sketches equals the sketch of the union', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 3000 }), fc.array(fc.integer(), { maxLength: 3000 }), (a, b) => {
        const left = new HyperLogLog(12);
        const right = new HyperLogLog(12);
        const union = new HyperLogLog(12);
        for (const x of a) left.add(hashNumber(x)), union.add(hashNumber(x));
        for (const x of b) right.add(hashNumber(x)), union.add(hashNumber(x));
        left.merge(right);
        expect(left.registers).toEqual(union.registers);
      }),
      { ...FC, numRuns: 30 },
    );
  });
});

describe('KLL quantile sketch', () => {
  const orders = ['random', 'sorted', 'reversed', 'few-distinct'] as const;

  it.each(orders)('keeps rank error within 1 percent for every reported quantile (%s input)', (order) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300_000 }), fc.integer({ min: 1, max: 2 ** 31 }), (n, seed) => {
        const rnd = seededRandom(seed);
        const values = Array.from({ length: n }, () => (order === 'few-distinct' ? Math.floor(rnd() * 7) : rnd() * 1000 - 300));
        if (order === 'sorted') values.sort((x, y) => x - y);
        if (order === 'reversed') values.sort((x, y) => y - x);
        const sketch = new KllSketch(400, seed);
        for (const v of values) sketch.update(v);
        const sorted = Float64Array.from(values).sort();
        const estimates = sketch.quantiles(QUANTILES);
        QUANTILES.forEach((q, i) => expect(rankError(sorted, estimates[i] as number, q)).toBeLessThanOrEqual(0.01));
        expect(sketch.count).toBe(n);
        expect(sketch.min).toBe(sorted[0]);
        expect(sketch.max).toBe(sorted[n - 1]);
      }),
      FC,
    );
  });

  it('updateMany over any split of the stream leaves the same sketch as update one by one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (n, cuts) => {
        const rnd = seededRandom(n);
        const values = Float64Array.from({ length: n }, () => rnd() * 1000);
        const one = new KllSketch(400, 7);
        for (const v of values) one.update(v);
        const many = new KllSketch(400, 7);
        for (let at = 0, k = 0; at < n; k++) {
          const take = Math.min(n - at, cuts[k % cuts.length] as number);
          many.updateMany(values.subarray(at, at + take), take);
          at += take;
        }
        expect(many.count).toBe(n);
        expect(many.retained).toBe(one.retained);
        expect(many.quantiles(QUANTILES)).toEqual(one.quantiles(QUANTILES));
        expect([many.min, many.max]).toEqual([one.min, one.max]);
      }),
      FC,
    );
  });

  it('is exact while small', () => {
    const sketch = new KllSketch(400);
    const values = Array.from({ length: 3000 }, (_, i) => (i * 37) % 3000);
    for (const v of values) sketch.update(v);
    expect(sketch.exact).toBe(true);
    expect(sketch.quantile(0.5)).toBe(1499);
    expect(sketch.quantile(0.01)).toBe(29);
  });

  it('a merge of two sketches stays within the error bound of the union', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 150_000 }), fc.integer({ min: 1, max: 150_000 }), fc.integer({ min: 1, max: 2 ** 31 }), (na, nb, seed) => {
        const rnd = seededRandom(seed);
        const a = Array.from({ length: na }, () => rnd() * 10);
        const b = Array.from({ length: nb }, () => 5 + rnd() * 10);
        const left = new KllSketch(400, seed);
        const right = new KllSketch(400, seed ^ 0x5555);
        for (const v of a) left.update(v);
        for (const v of b) right.update(v);
        left.merge(right);
        const sorted = Float64Array.from([...a, ...b]).sort();
        const estimates = left.quantiles(QUANTILES);
        QUANTILES.forEach((q, i) => expect(rankError(sorted, estimates[i] as number, q)).toBeLessThanOrEqual(0.01));
        expect(left.count).toBe(na + nb);
        expect(left.min).toBe(sorted[0]);
        expect(left.max).toBe(sorted[sorted.length - 1]);
      }),
      FC,
    );
  });

  it('keeps memory bounded: retained items do not grow with n', () => {
    const sketch = new KllSketch(400);
    let retainedAt1M = 0;
    for (let i = 0; i < 4_000_000; i++) {
      sketch.update(i % 1000);
      if (i === 1_000_000) retainedAt1M = sketch.retained;
    }
    expect(sketch.retained).toBeLessThan(4000);
    expect(sketch.retained).toBeLessThan(retainedAt1M * 1.5);
  });
});

describe('TopValues (exact, then Misra-Gries)', () => {
  const add = (t: TopValues, value: string): void => {
    const bytes = utf8(value);
    t.add(hashBytes(bytes, 0, bytes.length), bytes, 0, bytes.length);
  };

  it('counts exactly while there are at most `capacity` distinct values', () => {
    const t = new TopValues(16);
    const truth = new Map<string, number>();
    const rnd = seededRandom(7);
    for (let i = 0; i < 5000; i++) {
      const v = `v${Math.floor(rnd() * rnd() * 16)}`;
      truth.set(v, (truth.get(v) ?? 0) + 1);
      add(t, v);
    }
    expect(t.evicted).toBe(false);
    const top = t.top(100);
    expect(top.map((x) => [x.value, x.count])).toEqual([...truth.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    expect(top.every((x) => x.error === 0)).toBe(true);
  });

  it('hit counts a held value without its bytes, and leaves everything else to add', () => {
    const t = new TopValues(4);
    const bytes = utf8('x');
    const hx = hashBytes(bytes, 0, 1);
    expect(t.hit(hx)).toBe(false); // not held: nothing changes
    expect(t.size).toBe(0);
    t.add(hx, bytes, 0, 1);
    expect(t.hit(hx)).toBe(true);
    expect(t.hit(hx)).toBe(true);
    expect(t.top(5)).toEqual([{ value: 'x', truncated: false, count: 3, error: 0 }]);
    // After a purge, a value that entered without a label needs its bytes: hit declines.
    for (let i = 0; i < 40; i++) add(t, `u${i}`);
    expect(t.evicted).toBe(true);
    const late = utf8('late');
    const hl = hashBytes(late, 0, late.length);
    t.add(hl, late, 0, late.length);
    expect(t.hit(hl)).toBe(false);
    t.add(hl, late, 0, late.length);
    expect(t.hit(hl)).toBe(true);
  });

  it('past capacity keeps every heavy hitter with a count bracketing the truth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 2_000, max: 60_000 }), (seed, n) => {
        const rnd = seededRandom(seed);
        const capacity = 64;
        const t = new TopValues(capacity);
        const truth = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          // A few heavy values among a long tail of unique ones.
          const r = rnd();
          const v = r < 0.3 ? `heavy${Math.floor(r * 20)}` : `tail${i}`;
          truth.set(v, (truth.get(v) ?? 0) + 1);
          add(t, v);
        }
        expect(t.evicted).toBe(true);
        const reported = new Map(t.top(capacity).map((x) => [x.value, x]));
        for (const [v, count] of truth) {
          // Misra-Gries with median purges keeps anything above n / (capacity / 2).
          if (count > n / (capacity / 2)) {
            const got = reported.get(v);
            expect(got, v).toBeDefined();
            expect(got?.count).toBeGreaterThanOrEqual(count);
            expect((got?.count ?? 0) - (got?.error ?? 0)).toBeLessThanOrEqual(count);
          }
        }
        for (const x of reported.values()) {
          const count = truth.get(x.value) ?? 0;
          expect(x.count).toBeGreaterThanOrEqual(count);
          expect(x.count - x.error).toBeLessThanOrEqual(count);
        }
      }),
      FC,
    );
  });

  it('switches to sampling on a long high-cardinality stream and still finds heavy hitters within a few percent', () => {
    const t = new TopValues(256);
    const truth = new Map<string, number>();
    const rnd = seededRandom(11);
    const n = 600_000;
    for (let i = 0; i < n; i++) {
      const r = rnd();
      const v = r < 0.2 ? `heavy${Math.floor(r * 25)}` : `tail${i}`;
      truth.set(v, (truth.get(v) ?? 0) + 1);
      if (t.stride === 1) add(t, v);
      else if (--t.countdown === 0) {
        t.countdown = t.stride;
        add(t, v);
      }
    }
    expect(t.stride).toBeGreaterThan(1);
    const reported = new Map(t.top(10).map((x) => [x.value, x.count]));
    for (let k = 0; k < 5; k++) {
      const value = `heavy${k}`;
      const count = truth.get(value) ?? 0;
      expect(reported.has(value), value).toBe(true);
      expect(Math.abs((reported.get(value) ?? 0) - count) / count).toBeLessThan(0.05);
    }
  });

  it('merging two summaries keeps counts bracketing the combined truth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const rnd = seededRandom(seed);
        const a = new TopValues(32);
        const b = new TopValues(32);
        const truth = new Map<string, number>();
        for (let i = 0; i < 20_000; i++) {
          const v = rnd() < 0.4 ? `hot${Math.floor(rnd() * 5)}` : `cold${Math.floor(rnd() * 5000)}`;
          truth.set(v, (truth.get(v) ?? 0) + 1);
          add(i % 2 === 0 ? a : b, v);
        }
        a.merge(b);
        const reported = a.top(32);
        for (const hot of ['hot0', 'hot1', 'hot2', 'hot3', 'hot4']) expect(reported.map((x) => x.value)).toContain(hot);
        for (const x of reported) {
          const count = truth.get(x.value) ?? 0;
          expect(x.count).toBeGreaterThanOrEqual(count);
          expect(x.count - x.error).toBeLessThanOrEqual(count);
        }
      }),
      FC,
    );
  });

  it('cuts long labels at a character boundary', () => {
    const t = new TopValues(4);
    add(t, 'é'.repeat(100));
    const [top] = t.top(1);
    expect(top?.truncated).toBe(true);
    expect(top?.value).toBe('é'.repeat(32));
  });
});

describe('RunningStats (Welford)', () => {
  it('matches two-pass mean and sample standard deviation, also after merges', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 500 }), fc.nat(), (values, cut) => {
        const split = cut % values.length;
        const whole = new RunningStats();
        const left = new RunningStats();
        const right = new RunningStats();
        values.forEach((v, i) => {
          whole.add(v);
          (i < split ? left : right).add(v);
        });
        left.merge(right);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
        for (const s of [whole, left]) {
          expect(s.count).toBe(values.length);
          expect(s.mean).toBeCloseTo(mean, 6);
          expect(Math.abs(s.stddev - sd)).toBeLessThanOrEqual(1e-6 * Math.max(1, sd));
          expect(s.min).toBe(Math.min(...values));
          expect(s.max).toBe(Math.max(...values));
        }
      }),
      { ...FC, numRuns: 100 },
    );
  });
});

describe('RowDuplicates', () => {
  it('counts repeats exactly while the table has room', () => {
    const d = new RowDuplicates(1024);
    for (let i = 0; i < 500; i++) d.add(mix32(i % 400), mix32(i % 400 ^ 0x55));
    expect(d.exact).toBe(true);
    expect(d.duplicates).toBe(100);
  });

  it('estimates the duplicate count by hash sampling once it overflows', () => {
    const d = new RowDuplicates(4096);
    const n = 200_000;
    // 10 % of rows repeat an earlier row.
    for (let i = 0; i < n; i++) {
      const key = i % 10 === 9 ? i - 1 : i;
      d.add(mix32(key), mix32(key ^ 0x1234567));
    }
    expect(d.exact).toBe(false);
    expect(Math.abs(d.duplicates - n / 10) / (n / 10)).toBeLessThan(0.15);
  });

  it('matches a plain reference of adaptive sampling, through many lowerings of the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 500, max: 40_000 }), fc.integer({ min: 1, max: 20 }), (seed, rows, repeatEvery) => {
        const rnd = seededRandom(seed);
        const capacity = 64;
        const d = new RowDuplicates(capacity);
        // Reference: a Map of sampled rows; when it holds more than `capacity`, halve the
        // threshold and forget the rows above it.
        const sampled = new Map<string, { u: number; count: number }>();
        let threshold = 2 ** 32;
        const seen: Array<[number, number]> = [];
        for (let r = 0; r < rows; r++) {
          const row: [number, number] = r % repeatEvery === 0 && seen.length > 0 ? (seen[Math.floor(rnd() * seen.length)] as [number, number]) : [mix32(Math.floor(rnd() * 2 ** 31)), mix32(Math.floor(rnd() * 2 ** 31))];
          seen.push(row);
          d.add(row[0], row[1]);
          const u = row[0] >>> 0;
          if (u >= threshold) continue;
          const key = `${u}:${row[1] & 0x1fffff}`;
          const entry = sampled.get(key);
          if (entry === undefined) sampled.set(key, { u, count: 1 });
          else entry.count++;
          while (sampled.size > capacity) {
            threshold /= 2;
            for (const [k, e] of sampled) if (e.u >= threshold) sampled.delete(k);
          }
        }
        let total = 0;
        for (const e of sampled.values()) total += e.count;
        expect(d.duplicates).toBe(Math.round((total - sampled.size) * (2 ** 32 / threshold)));
        expect(d.exact).toBe(threshold === 2 ** 32);
      }),
      FC,
    );
  });

  it('reports zero for a file without repeats, however large', () => {
    const d = new RowDuplicates(1024);
    for (let i = 0; i < 100_000; i++) d.add(mix32(i), mix32(i + 77));
    expect(d.duplicates).toBe(0);
  });
});
