import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symmetric } from '../../../lambdas/processors/profile/correlation';

/**
 * The report's correlation matrix (correlation.ts) against a plain computation, one pair at a
 * time: the rows where both columns are numbers, their means, then the sums of products and
 * squares about them, each in row order. The matrix sums many pairs in shared passes; it must
 * give the same bits, whatever it is told about which columns may hold a NaN (a column said to
 * have none that has one makes it start again with every column gapped).
 */
function reference(columns: ReadonlyArray<Float64Array | Float32Array>): Array<Array<number | null>> {
  return columns.map((x) =>
    columns.map((y) => {
      let n = 0;
      let sx = 0;
      let sy = 0;
      for (let i = 0; i < x.length; i++) {
        const a = x[i] as number;
        const b = y[i] as number;
        if (a !== a || b !== b) continue;
        n++;
        sx += a;
        sy += b;
      }
      if (n < 3) return null;
      const mx = sx / n;
      const my = sy / n;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < x.length; i++) {
        const a = x[i] as number;
        const b = y[i] as number;
        if (a !== a || b !== b) continue;
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
      }
      return sxx === 0 || syy === 0 ? null : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }),
  );
}

const cell = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -50, max: 50 }).map((v) => v / 4) },
  { weight: 4, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);

describe('symmetric (correlation matrix)', () => {
  it('gives the bits of a pass per pair, with any claim about which columns hold a NaN', () => {
    const input = fc
      .tuple(fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 1, max: 6 }), fc.boolean())
      .chain(([rows, k, ranks]) =>
        fc.record({
          // Long columns cross the matrix's 4096-row blocks; most cells are numbers.
          columns: fc.array(fc.array(cell, { minLength: rows % 50, maxLength: rows % 50 }), { minLength: k, maxLength: k }),
          repeat: fc.integer({ min: 1, max: 200 }),
          ranks: fc.constant(ranks),
          claims: fc.array(fc.boolean(), { minLength: k, maxLength: k }),
        }),
      );
    fc.assert(
      fc.property(input, ({ columns, repeat, ranks, claims }) => {
        const typed = columns.map((c) => {
          const long = Array.from({ length: c.length * repeat }, (_, i) => c[i % c.length] as number);
          return ranks ? Float32Array.from(long) : Float64Array.from(long);
        });
        const expected = reference(typed);
        for (const claim of [claims, typed.map(() => true), typed.map(() => false), undefined]) {
          const m = symmetric(typed, claim);
          expect(m.map((row) => row.map((v) => (v === null ? null : Object.is(v, -0) ? '-0' : v)))).toEqual(expected.map((row) => row.map((v) => (v === null ? null : Object.is(v, -0) ? '-0' : v))));
        }
      }),
      { numRuns: 150 },
    );
  });
});
