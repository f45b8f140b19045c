/**
 * Sizes in the API's and the jobs' messages, in binary multiples: limits are set as
 * `50 * 1024 * 1024`, so "50 MiB" is what the operator configured and what the pages show
 * (frontend/src/i18n.ts formatBytes counts the same way).
 */
const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `1536` → "1.5 KiB", `52428800` → "50 MiB", `999` → "999 bytes". */
export function formatByteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString('en-US')} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${UNITS[unit]}`;
}
