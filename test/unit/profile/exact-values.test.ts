import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellKernel } from '../../../lambdas/processors/profile/cell-kernel';
import { ExactValues, KEY_DATE, KEY_NUMBER, KEY_TEXT, MemoryBudget } from '../../../lambdas/processors/profile/exact-values';
import { ValueKind } from '../../../lambdas/processors/profile/value-parser';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Lays `cells` out as the profiler does (bytes at `bytesAt`, every third cell in the arena after
 * them), classifies and hashes them with the kernel, then keeps only `hashBits` of each hash so
 * that distinct values share hashes. Returns the batch's bases and each cell's key (tag + text).
 */
function loadBatch(kernel: CellKernel, cells: readonly string[], hashBits: number): { bufBase: number; arenaBase: number; keys: Array<string | null> } {
  const encoded = cells.map((c) => encoder.encode(c));
  const total = encoded.reduce((n, c) => n + c.length, 0);
  const arenaAt = Math.ceil(total / 8) * 8;
  kernel.reserve(arenaAt + total + 8);
  let bufAt = 0;
  let arenaLength = 0;
  encoded.forEach((bytes, i) => {
    if (i % 3 === 2) {
      kernel.bytes.set(bytes, arenaAt + arenaLength);
      kernel.starts[i] = -1 - arenaLength;
      kernel.ends[i] = arenaLength + bytes.length;
      arenaLength += bytes.length;
    } else {
      kernel.bytes.set(bytes, bufAt);
      kernel.starts[i] = bufAt;
      kernel.ends[i] = bufAt + bytes.length;
      bufAt += bytes.length;
    }
  });
  const bufBase = kernel.bytesAt;
  const arenaBase = kernel.bytesAt + arenaAt;
  kernel.cells(0, 1, cells.length, bufBase, arenaBase);
  const mask = hashBits >= 32 ? -1 : (1 << hashBits) - 1;
  for (let i = 0; i < cells.length; i++) kernel.hashes[i] = (kernel.hashes[i] as number) & mask;
  const keys = cells.map((text, i) => {
    const kind = kernel.kinds[i] as number;
    if (kind === ValueKind.Missing) return null;
    const tag = kind === ValueKind.Integer || kind === ValueKind.Decimal ? KEY_NUMBER : kind === ValueKind.Date || kind === ValueKind.DateTime ? KEY_DATE : KEY_TEXT;
    return `${tag}:${text}`;
  });
  return { bufBase, arenaBase, keys };
}

function contents(exact: ExactValues): Map<string, number> {
  const held = new Map<string, number>();
  for (let e = 0; e < exact.size; e++) held.set(`${exact.tag(e)}:${decoder.decode(exact.label(e))}`, exact.count(e));
  return held;
}

const cell = fc.oneof(
  fc.constantFrom('', 'a', 'true', 'false', '東京都', 'Zürich, CH', 'note 5', '2024-01-02', '1.5', '1.50', '007', 'x'.repeat(40)),
  fc.integer({ min: 0, max: 300 }).map((n) => `user${n}`),
  fc.integer({ min: 0, max: 50 }).map(String),
  fc.string({ maxLength: 20 }),
);

describe('exact distinct-value table (in the cell kernel)', () => {
  it('counts every value as a plain Map does, with shared hashes and many tables growing in one kernel', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 32 }), (batches, hashBits) => {
        const kernel = new CellKernel(512);
        const budget = new MemoryBudget(1 << 30);
        // Forty tables take turns, so their blocks interleave in the heap and the batch's bytes
        // move up while a batch is being counted.
        const tables = Array.from({ length: 40 }, () => new ExactValues(budget));
        const expected = tables.map(() => new Map<string, number>());
        batches.forEach((cells) => {
          tables.forEach((exact, t) => {
            // Each table sees the batch with its own rotation, so each holds its own values.
            const rotated = cells.map((c, i) => (i % 4 === t % 4 ? `${c}#${t}` : c));
            const { bufBase, arenaBase, keys } = loadBatch(kernel, rotated, hashBits);
            expect(exact.addCells(kernel, 0, 1, rotated.length, bufBase, arenaBase)).toBe(rotated.length);
            const want = expected[t] as Map<string, number>;
            for (const key of keys) if (key !== null) want.set(key, (want.get(key) ?? 0) + 1);
            // The batch's bytes are still there, wherever the heap put them.
            expect(decoder.decode(kernel.bytes.subarray(0, encoder.encode(rotated[0] as string).length))).toBe(rotated[0]);
          });
        });
        tables.forEach((exact, t) => expect(contents(exact)).toEqual(expected[t]));
        const held = budget.used;
        expect(held).toBeGreaterThanOrEqual(0);
        for (const exact of tables) exact.release();
        expect(budget.used).toBe(0);
      }),
      { seed: 14, numRuns: 40 },
    );
  });

  it('moves the batch\'s bytes up when the heap needs room, and keeps counting from where they went', () => {
    const kernel = new CellKernel(4096);
    const budget = new MemoryBudget(1 << 30);
    const exact = new ExactValues(budget);
    const cells = Array.from({ length: 4000 }, (_, i) => `value ${i % 3000} ${'x'.repeat(i % 50)}`);
    const before = kernel.relocations;
    const { bufBase, arenaBase, keys } = loadBatch(kernel, cells, 32);
    expect(exact.addCells(kernel, 0, 1, cells.length, bufBase, arenaBase)).toBe(cells.length);
    expect(kernel.relocations).toBeGreaterThan(before);
    const want = new Map<string, number>();
    for (const key of keys) if (key !== null) want.set(key, (want.get(key) ?? 0) + 1);
    expect(contents(exact)).toEqual(want);
  });

  it('counts a batch whose bytes move while the table takes its first room', () => {
    const kernel = new CellKernel(64);
    const exact = new ExactValues(new MemoryBudget(1 << 20));
    const cells = Array.from({ length: 60 }, (_, i) => `city ${i % 7}`);
    const { bufBase, arenaBase, keys } = loadBatch(kernel, cells, 32);
    // The heap full to the brim: the table's first blocks move the batch's bytes and take their place.
    while (kernel.heapRoom >= 64) {
      const at = kernel.alloc(64);
      kernel.heap8.fill(0xff, at, at + 64);
    }
    const before = kernel.relocations;
    expect(exact.addCells(kernel, 0, 1, cells.length, bufBase, arenaBase)).toBe(cells.length);
    expect(kernel.relocations).toBe(before + 1);
    const want = new Map<string, number>();
    for (const key of keys) if (key !== null) want.set(key, (want.get(key) ?? 0) + 1);
    expect(contents(exact)).toEqual(want);
  });

  it('stops at the first new value past the budget, having counted the cells before it', () => {
    const kernel = new CellKernel(1024);
    const budget = new MemoryBudget(4096);
    const exact = new ExactValues(budget);
    const cells = Array.from({ length: 1000 }, (_, i) => `distinct value number ${i}`);
    const { bufBase, arenaBase } = loadBatch(kernel, cells, 32);
    const counted = exact.addCells(kernel, 0, 1, cells.length, bufBase, arenaBase);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(cells.length);
    expect(exact.size).toBe(counted);
    expect(budget.used).toBeLessThanOrEqual(4096);
    expect(contents(exact)).toEqual(new Map(cells.slice(0, counted).map((c) => [`${KEY_TEXT}:${c}`, 1])));
    exact.release();
    expect(budget.used).toBe(0);
  });

  it('adds a value from JavaScript with its count, and its top entries are by count, then by bytes', () => {
    const kernel = new CellKernel(16);
    const exact = new ExactValues(new MemoryBudget(1 << 20));
    for (const [text, count] of [['b', 3], ['a', 3], ['c', 5], ['a', 1]] as const) {
      const bytes = encoder.encode(text);
      expect(exact.add(kernel, 7, KEY_NUMBER, bytes, 0, bytes.length, count)).toBe(true);
    }
    expect(exact.topEntries(3).map((e) => [decoder.decode(exact.label(e)), exact.count(e), exact.tag(e)])).toEqual([
      ['c', 5, KEY_NUMBER],
      ['a', 4, KEY_NUMBER],
      ['b', 3, KEY_NUMBER],
    ]);
  });
});
