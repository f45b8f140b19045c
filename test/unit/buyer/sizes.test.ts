/**
 * Sizes in the API's and the jobs' messages (lambdas/core/sizes.ts) and in the report are binary: a limit set as
 * `50 * 1024 * 1024` reads "50 MiB", never "52.4 MB" or "52 MB".
 */
import { describe, expect, it } from 'vitest';
import { formatByteSize } from '../../../lambdas/core/sizes';
import { formats } from '../../../lambdas/processors/profile/report-text';
import { formatLimit } from '../../../lambdas/processors/profile/text-input';

describe('formatByteSize', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1,023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [64 * 1024 + 10, '64 KiB'],
    [50 * 1024 * 1024, '50 MiB'],
    [100 * 1024 * 1024, '100 MiB'],
    [Math.round(2.25 * 1024 ** 3), '2.3 GiB'],
  ])('%i bytes read "%s"', (bytes, expected) => {
    // Act
    const text = formatByteSize(bytes);

    // Assess
    expect(text).toBe(expected);
  });

  it('is what the data profile says when a file is over the limit', () => {
    expect(formatLimit(50 * 1024 * 1024)).toBe('50 MiB');
  });
});

describe("the report's file size", () => {
  it.each([
    ['en', 50 * 1024 * 1024, '50 MiB'],
    ['en', 1536, '1.5 KiB'],
    ['en', 512, '512 bytes'],
    ['ja', 3 * 1024 ** 3, '3 GiB'],
    ['ja', 512, '512 バイト'],
  ] as const)('%s: %i bytes read "%s"', (lang, bytes, expected) => {
    expect(formats(lang).bytes(bytes)).toBe(expected);
  });
});
