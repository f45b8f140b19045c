import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileKernel } from '../../../bin/build-wasm';
import { CellKernel, kernelBinary } from '../../../lambdas/processors/profile/cell-kernel';
import { MISSING_HASH } from '../../../lambdas/processors/profile/column-profile';
import { hashBytes, hashNumber, hashedText } from '../../../lambdas/processors/profile/hashing';
import { NumberStyle, ValueKind, classify, parsed } from '../../../lambdas/processors/profile/value-parser';
import { utf8 } from './helpers';

/** What the JavaScript path makes of one cell: kind, value, hash and length. */
function reference(bytes: Uint8Array, style: NumberStyle = NumberStyle.Plain): { kind: number; value: number; hash: number; length: number } {
  const kind = classify(bytes, 0, bytes.length, style);
  const value = kind === ValueKind.Missing || kind === ValueKind.String ? 0 : parsed.value;
  if (kind === ValueKind.Missing) return { kind, value, hash: MISSING_HASH, length: bytes.length };
  if (kind === ValueKind.Integer || kind === ValueKind.Decimal) return { kind, value, hash: hashNumber(value), length: bytes.length };
  if (kind === ValueKind.Date || kind === ValueKind.DateTime) return { kind, value, hash: hashNumber(value) ^ kind, length: bytes.length };
  const hash = hashBytes(bytes, 0, bytes.length);
  return { kind, value, hash, length: hashedText.chars };
}

/** Runs cells through the kernel, the first half from the buffer and the second half from the arena. */
function throughKernel(cells: readonly Uint8Array[], style: NumberStyle = NumberStyle.Plain): Array<{ kind: number; value: number; hash: number; length: number }> {
  const kernel = new CellKernel(cells.length + 1);
  const total = cells.reduce((n, c) => n + c.length, 0);
  kernel.reserve(2 * total + 64);
  const half = cells.length >> 1;
  // Buffer cells at bufBase (with an offset, as a batch that starts mid-chunk), arena cells after.
  let bufAt = 5;
  let arenaAt = 0;
  const arenaBase = kernel.bytesAt + total + 16;
  cells.forEach((cell, i) => {
    if (i < half) {
      kernel.bytes.set(cell, bufAt - 5);
      kernel.starts[i] = bufAt;
      kernel.ends[i] = bufAt + cell.length;
      bufAt += cell.length;
    } else {
      kernel.bytes.set(cell, total + 16 + arenaAt);
      kernel.starts[i] = -1 - arenaAt;
      kernel.ends[i] = arenaAt + cell.length;
      arenaAt += cell.length;
    }
  });
  kernel.cells(0, 1, cells.length, kernel.bytesAt - 5, arenaBase, style);
  return cells.map((_, i) => ({ kind: kernel.kinds[i] as number, value: kernel.values[i] as number, hash: kernel.hashes[i] as number, length: kernel.lengths[i] as number }));
}

const cellText = fc.oneof(
  fc.stringMatching(/^[ \t]?[-+]?[0-9]{0,18}(\.[0-9]{0,6})?([eE][-+]?[0-9]{0,3})?[ \t]?$/),
  fc.stringMatching(/^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,4})?)?(Z|[-+][0-9]{2}:?[0-9]{2})?)?$/),
  fc.constantFrom('', ' ', 'na', 'NaN', 'n/a', 'NULL', 'none', 'yes', 'No', 'TRUE', 'false', 'f', 'tru', 'falsy', '2024-02-29', '2023-02-29', '0000-01-01', '0000-02-29', '0000-03-01', '0001-01-01', '0399-12-31', '0400-02-29', '1900-02-28', '1969-12-31', '9999-12-31', '1e999', '-0', '.5', '5.', '+', '-', '東京都', 'Zürich, CH', '9007199254740993'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  // Commas: thousands separators, decimal commas, and forms that are neither.
  fc.stringMatching(/^[-+]?[0-9]{1,4}(,[0-9]{1,4}){1,3}(\.[0-9]{0,3})?$/),
  fc.constantFrom('1,234', '1,234.50', '12,345,678', '1,5', '0,25', '-3,75', '1,23,456', ',5', '1,', '0,123', '00,5', '1,234,5678901234,567', '999,999,999,999,999', '1,234.5,6'),
);

describe('cell kernel (WebAssembly)', () => {
  it('the committed cells-wasm.ts is the current assembly/cells.ts, compiled', async () => {
    // Compared after inflating: another zlib may deflate the same bytes differently.
    const binary = await compileKernel();
    expect(Buffer.from(kernelBinary()).equals(Buffer.from(binary)), 'run `npm run build:wasm` after editing assembly/cells.ts').toBe(true);
  }, 60_000);

  it('gives every cell the kind, value, hash and length the JavaScript parser and hashes give it, in every number style', () => {
    const styles = fc.constantFrom(NumberStyle.Plain, NumberStyle.Thousands, NumberStyle.DecimalComma, NumberStyle.EitherThousands, NumberStyle.EitherDecimalComma);
    fc.assert(
      fc.property(fc.array(cellText, { minLength: 1, maxLength: 60 }), styles, (texts, style) => {
        const cells = texts.map(utf8);
        const got = throughKernel(cells, style);
        cells.forEach((cell, i) => {
          const want = reference(cell, style);
          expect({ text: texts[i], ...got[i] }).toEqual({ text: texts[i], ...want });
        });
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });
});
