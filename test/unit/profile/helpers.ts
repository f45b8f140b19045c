import { createProfileProcessor, profileProcessor } from '../../../lambdas/processors/profile/index';
import type { ProfileReport } from '../../../lambdas/processors/profile/report-model';
import type { ProcessorResult } from '../../../lambdas/processors/processor';

/** Deterministic PRNG (mulberry32) so generated files are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields `bytes` in chunks of the given sizes (cycled), to put chunk boundaries anywhere. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[] = [bytes.length || 1]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length] as number);
    yield bytes.slice(at, at + size);
    at += size;
  }
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export interface RunOptions {
  readonly fileName?: string;
  readonly maxBytes?: number;
  readonly chunkSizes?: readonly number[];
  readonly lang?: string;
  readonly orderId?: string;
  /** MB for the exact figures; default: the processor's default. */
  readonly memoryBudgetMb?: number;
}

export async function runProcessor(content: string | Uint8Array, options: RunOptions = {}): Promise<ProcessorResult> {
  const bytes = typeof content === 'string' ? utf8(content) : content;
  const processor = options.memoryBudgetMb === undefined ? profileProcessor : createProfileProcessor({ memoryBudgetMb: options.memoryBudgetMb });
  return processor.process({
    body: chunked(bytes, options.chunkSizes),
    fileName: options.fileName ?? 'data.csv',
    maxBytes: options.maxBytes ?? 100 * 1024 * 1024,
    // Fixed, so that two runs of one file give the same report.
    generatedAt: '2026-01-01T00:00:00.000Z',
    ...(options.lang === undefined ? {} : { lang: options.lang }),
    ...(options.orderId === undefined ? {} : { orderId: options.orderId }),
  });
}

export async function profile(content: string | Uint8Array, options: RunOptions = {}): Promise<ProfileReport> {
  const result = await runProcessor(content, options);
  const json = result.artifacts.find((a) => a.name === 'report.json');
  if (json === undefined) throw new Error('report.json missing');
  if (typeof json.body !== 'string' && !(json.body instanceof Uint8Array)) throw new Error('the profile writes report.json in memory, not streamed');
  return JSON.parse(typeof json.body === 'string' ? json.body : new TextDecoder().decode(json.body)) as ProfileReport;
}

export function column(report: ProfileReport, name: string): ProfileReport['columns'][number] {
  const found = report.columns.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}; have ${report.columns.map((c) => c.name).join(', ')}`);
  return found;
}

/** Exact rank interval of x in sorted values: [share < x, share <= x]. */
export function rankInterval(sorted: readonly number[] | Float64Array, x: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return [below / sorted.length, lo / sorted.length];
}

/** Distance of q from the rank interval of x (0 when x is a true q-quantile). */
export function rankError(sorted: readonly number[] | Float64Array, x: number, q: number): number {
  const [lo, hi] = rankInterval(sorted, x);
  return q < lo ? lo - q : q > hi ? q - hi : 0;
}
