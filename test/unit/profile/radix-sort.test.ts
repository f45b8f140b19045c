import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RadixSorter, rankArray, ranksOf } from '../../../lambdas/processors/profile/radix-sort';

/**
 * The exact path's radix sort (radix-sort.ts) against V8's typed-array sort, which it replaced:
 * the same order bit for bit (−0 before 0, infinities, subnormals, integers whose low bits are
 * all zero, so that passes are skipped), each value's original position, and ranks against a
 * plain computation.
 */
const value = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 5 }).map((v) => v + 0),
  fc.integer({ min: 0, max: 3_000_000 }).map((v) => v + 0),
  fc.constantFrom(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE),
  fc.integer({ min: 0, max: 1500 }).map((d) => Date.UTC(2020, 0, 1) + d * 86_400_000),
);
const column = fc.oneof(fc.array(value, { maxLength: 400 }), fc.array(fc.integer({ min: -3, max: 3 }).map((v) => v * 0.5), { maxLength: 400 }));

describe('RadixSorter', () => {
  it('sorts exactly as Float64Array.prototype.sort and gives each value its original position', () => {
    // One sorter for every run: its scratch arrays are reused between sorts of different sizes.
    const sorter = new RadixSorter();
    fc.assert(
      fc.property(column, (values) => {
        const input = Float64Array.from(values);
        const expected = Float64Array.from(values).sort();
        const sorted = Float64Array.from(values);
        sorter.sort(sorted);
        expect(Array.from(sorted, (v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(Array.from(expected, (v) => Object.is(v, -0) ? '-0' : String(v)));
        const withOrder = Float64Array.from(values);
        const order = new Uint32Array(values.length);
        sorter.sort(withOrder, order);
        expect(new Uint8Array(withOrder.buffer)).toEqual(new Uint8Array(expected.buffer));
        // A permutation that maps each sorted value to its original, equal values in arrival order.
        expect([...order].sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
        for (let i = 0; i < values.length; i++) {
          expect(Object.is(input[order[i] as number], withOrder[i])).toBe(true);
          if (i > 0 && Object.is(withOrder[i], withOrder[i - 1])) expect(order[i] as number).toBeGreaterThan(order[i - 1] as number);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ranks: ties (−0 and 0 too) get their average rank', () => {
    const sorter = new RadixSorter();
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -4, max: 4 }).map((v) => v / 2), fc.constant(-0)), { maxLength: 300 }), (values) => {
        const sorted = Float64Array.from(values);
        const order = new Uint32Array(values.length);
        sorter.sort(sorted, order);
        const ranks = new Float64Array(values.length);
        ranksOf(sorted, order, ranks);
        // Reference: 1 + the values below, plus half of the other equal ones.
        const expected = values.map((v) => 1 + values.filter((w) => w < v).length + (values.filter((w) => w === v).length - 1) / 2);
        expect(Array.from(ranks)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('sortRanked: values in order, few distinct values and many give the radix sort\'s bits and the same ranks', () => {
    // The three ways sortRanked takes (radix-sort.ts): a column already in order (nothing to do),
    // at most one value in eight distinct (counted: needs 512 values or more), and the rest.
    const sorter = new RadixSorter();
    const few = fc.constantFrom(0, -0, 1.5, -2, 3, 1e300, -1e-300, 5e-324, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 42, 7.25);
    const kinds = fc.oneof(
      fc.array(few, { minLength: 512, maxLength: 3000 }),
      fc.array(few, { minLength: 512, maxLength: 3000 }).map((v) => v.sort((a, b) => a - b)),
      fc.integer({ min: 0, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => i * 0.5)),
      fc.array(value, { minLength: 512, maxLength: 2000 }),
      fc.array(fc.oneof(few, fc.constant(Number.NaN)), { minLength: 512, maxLength: 1000 }),
      column,
      // Many distinct decimals of up to six places (4,096 values or more: sorted as scaled
      // integers), with a value that is not one (−0, NaN, seven places, a wide span) now and then.
      fc
        .tuple(
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: -3_000_000, max: 3_000_000 }),
          fc.constantFrom(null, -0, Number.NaN, 1.0000001, 2 ** 40, -(2 ** 45), Number.POSITIVE_INFINITY),
          fc.integer({ min: 4096, max: 6000 }),
          fc.integer(),
        )
        .map(([places, offset, odd, n, seed]) => {
          let x = seed | 1;
          const out = Array.from({ length: n }, () => {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            return (offset + (x % 4_000_000)) / 10 ** places;
          });
          if (odd !== null) out[(seed >>> 0) % n] = odd;
          return out;
        }),
    );
    fc.assert(
      fc.property(kinds, (values) => {
        const reference = Float64Array.from(values);
        const order = new Uint32Array(values.length);
        sorter.sort(reference, order);
        const expectedRanks = new Float64Array(values.length);
        ranksOf(reference, order, expectedRanks);
        const sorted = Float64Array.from(values);
        const ranks = rankArray(values.length);
        sorter.sortRanked(sorted, ranks);
        expect(new Uint8Array(sorted.buffer)).toEqual(new Uint8Array(reference.buffer));
        expect(Array.from(ranks)).toEqual(Array.from(expectedRanks));
        const plain = Float64Array.from(values);
        sorter.sortRanked(plain);
        expect(new Uint8Array(plain.buffer)).toEqual(new Uint8Array(reference.buffer));
      }),
      { numRuns: 100 },
    );
  });

  it('repeats: counts the keys (integers below 2^53) that equal an earlier one', () => {
    const sorter = new RadixSorter();
    const key = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom(2 ** 53 - 1, 2 ** 53 - 2097152, 2 ** 21, 2 ** 21 - 1, 2 ** 32 * 2 ** 21 - 1),
      fc.integer({ min: 0, max: 2 ** 31 }).map((u) => u * 2097152 + 7),
      fc.double({ min: 0, max: 2 ** 53 - 1, noNaN: true }).map(Math.floor),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 3000 }), (keys) => {
        expect(sorter.repeats(Float64Array.from(keys))).toBe(keys.length - new Set(keys).size);
      }),
      { numRuns: 300 },
    );
  });
});
