/**
 * Benchmark of the default processor against DuckDB SUMMARIZE (threads = 1) on the same file.
 *   npm run bench:processor            # 2,000,000 rows (~140 MB)
 *   npm run bench:processor -- --big   # 14,000,000 rows (~1 GB): peak RSS must not grow
 *   npm run bench:processor -- --rows 500000
 *   npm run bench:processor -- --runs 5    # rounds (default 3)
 *   npm run bench:processor -- --memory-mb 0   # one mode only: this budget (0: sketches only)
 *   npm run bench:processor -- --only          # the processor only (no DuckDB): the 50 MB and 1 GB runs
 * By default each round runs three contenders one after the other: the processor with the budget
 * forced large (exact figures, 16 GB), DuckDB, and the processor with the budget forced small
 * (0 MB: every figure from its sketch), so that both modes compare with DuckDB in the same run.
 * Data comes from ../shared/bench/gen-csv.mjs (deterministic) and is cached under .bench/.
 * Each contender runs in a fresh child process so its own peak RSS is measured; the processor
 * runs bundled by esbuild, as it is deployed. The two alternate, round after round, and the
 * medians are compared (with each round's own ratio), so that a noisy neighbour slowing the
 * machine for a while weighs on both sides alike. Exact distinct counts and medians come from a
 * separate DuckDB pass with exact aggregates. Prints figures; asserts nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const rowsArg = args.indexOf('--rows');
const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : args.includes('--big') ? 14_000_000 : 2_000_000;
if (!Number.isInteger(rows) || rows <= 0) throw new Error('--rows needs a positive integer');
const memoryArg = args.indexOf('--memory-mb');
const memoryMb = memoryArg >= 0 ? Number(args[memoryArg + 1]) : undefined;
if (memoryMb !== undefined && !(memoryMb >= 0)) throw new Error('--memory-mb needs a number of MB');
const only = args.includes('--only');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
if (!Number.isInteger(runs) || runs <= 0) throw new Error('--runs needs a positive integer');

const generator = resolve(root, '../shared/bench/gen-csv.mjs');
if (!existsSync(generator)) {
  console.error(`The data generator is missing: expected ${generator} (the shared/ folder beside the repository).`);
  process.exit(1);
}
const benchDir = join(root, '.bench');
mkdirSync(benchDir, { recursive: true });
const dirArg = args.indexOf('--dir');
// --dir puts generated files elsewhere (the 1 GB file goes to /tmp and is deleted after).
const dataDir = dirArg >= 0 ? resolve(String(args[dirArg + 1])) : benchDir;
const dataFile = join(dataDir, rows === 2_000_000 ? 'bench.csv' : `bench-${rows}.csv`);
if (!existsSync(dataFile)) {
  console.log(`generating ${rows.toLocaleString('en-US')} rows into ${dataFile} …`);
  execFileSync(process.execPath, [generator, String(rows), dataFile], { stdio: 'inherit' });
}
const bytes = statSync(dataFile).size;

const bundle = join(benchDir, 'processor-child.mjs');
await build({
  entryPoints: [join(root, 'bench/processor-child.ts')],
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: bundle,
  logLevel: 'warning',
});
const processorBundleBytes = (
  await build({ entryPoints: [join(root, 'lambdas/processors/profile/index.ts')], bundle: true, minify: true, platform: 'node', format: 'esm', write: false })
).outputFiles[0]?.contents.length;

interface ChildColumn {
  name: string;
  type: string;
  distinct: number;
  p50: number | string | null;
  unit?: string | null;
}
interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  rows?: number;
  exact?: boolean;
  columns: ChildColumn[];
}

function runChild(command: string, childArgs: string[]): ChildResult {
  const out = spawnSync(command, childArgs, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) {
    console.error(out.stderr);
    throw new Error(`${childArgs.join(' ')} exited with ${out.status}`);
  }
  return JSON.parse(out.stdout) as ChildResult;
}

console.log(`file: ${dataFile} (${(bytes / 1e6).toFixed(1)} MB, ${rows.toLocaleString('en-US')} rows); processor bundle ${((processorBundleBytes ?? 0) / 1024).toFixed(1)} KB`);
/** Budgets of the processor's modes: forced large (exact) and forced small (sketches). */
const modes: Array<{ name: string; budgetMb: number }> = memoryMb === undefined ? [{ name: 'exact', budgetMb: 16_384 }, { name: 'sketch', budgetMb: 0 }] : [{ name: `budget ${memoryMb} MB`, budgetMb: memoryMb }];
const oursByMode = new Map<string, ChildResult[]>(modes.map((m) => [m.name, []]));
const duckRuns: ChildResult[] = [];
for (let round = 1; round <= runs; round++) {
  const parts: string[] = [];
  modes.forEach((mode, i) => {
    const o = runChild(process.execPath, [bundle, dataFile, String(mode.budgetMb)]);
    (oursByMode.get(mode.name) as ChildResult[]).push(o);
    parts.push(`uplock ${mode.name}${o.exact ? ' (exact)' : ' (sketches)'} ${o.seconds.toFixed(2)} s (CPU ${o.cpuSeconds.toFixed(2)} s, RSS ${o.maxRssMb.toFixed(0)} MB)`);
    // DuckDB between the two modes, so that each mode sits next to it in time.
    if (i === 0 && !only) {
      const d = runChild(process.execPath, ['--import', 'tsx', join(root, 'bench/processor-duckdb-child.ts'), dataFile]);
      duckRuns.push(d);
      parts.push(`DuckDB ${d.seconds.toFixed(2)} s (CPU ${d.cpuSeconds.toFixed(2)} s, RSS ${d.maxRssMb.toFixed(0)} MB)`);
    }
  });
  console.log(`round ${round}/${runs}: ${parts.join(', ')}`);
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const summary = (all: ChildResult[]): ChildResult => ({
  ...(all[0] as ChildResult),
  seconds: median(all.map((r) => r.seconds)),
  cpuSeconds: median(all.map((r) => r.cpuSeconds)),
  maxRssMb: Math.max(...all.map((r) => r.maxRssMb)),
});
const mb = bytes / 1e6;
const fmt = (name: string, r: ChildResult): string =>
  `${name.padEnd(22)} ${r.seconds.toFixed(2).padStart(7)} s ${(mb / r.seconds).toFixed(1).padStart(8)} MB/s ${Math.round(rows / r.seconds).toLocaleString('en-US').padStart(12)} rows/s` +
  `   CPU ${r.cpuSeconds.toFixed(2).padStart(6)} s (${(mb / r.cpuSeconds).toFixed(1).padStart(6)} MB/CPU-s)   peak RSS ${r.maxRssMb.toFixed(0).padStart(5)} MB`;
console.log('');
if (only) {
  for (const mode of modes) console.log(fmt(`uplock ${mode.name}`, summary(oursByMode.get(mode.name) as ChildResult[])));
  console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  process.exit(0);
}
const duck = summary(duckRuns);
console.log(fmt('DuckDB SUMMARIZE (1t)', duck));
const targets: Record<string, string> = { exact: '≥ 1.5×', sketch: '≥ 2×, peak RSS ≤ 150 MB' };
for (const mode of modes) {
  const all = oursByMode.get(mode.name) as ChildResult[];
  const r = summary(all);
  const perRound = all.map((o, i) => `${((duckRuns[i] as ChildResult).seconds / o.seconds).toFixed(2)}×`).join(', ');
  console.log(fmt(`uplock ${mode.name}`, r));
  console.log(
    `  ${mode.name}: ${(duck.seconds / r.seconds).toFixed(2)}× DuckDB wall clock, ${(duck.cpuSeconds / r.cpuSeconds).toFixed(2)}× CPU time (medians of ${runs} alternating rounds; per round ${perRound}); ` +
      `peak RSS ${r.maxRssMb.toFixed(0)} MB (highest of all rounds); target ${targets[mode.name] ?? '—'}`,
  );
}
console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs (figures from a busy machine are noisy)`);
const ours = summary(oursByMode.get((modes[modes.length - 1] as { name: string }).name) as ChildResult[]);

// Exact reference values in a separate pass (DuckDB exact aggregates, all threads, not timed).
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const source = `read_csv('${dataFile.replaceAll("'", "''")}')`;
const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const exactDistinct = new Map<string, number>();
{
  const select = duck.columns.map((c) => `count(DISTINCT ${quoteIdent(c.name)})`).join(', ');
  const reader = await db.runAndReadAll(`SELECT ${select} FROM ${source}`);
  const row = reader.getRows()[0] ?? [];
  duck.columns.forEach((c, i) => exactDistinct.set(c.name, Number(row[i])));
}

/** |rank(x) − 0.5| measured exactly; 0 when x is a true median. */
async function medianRankError(column: string, type: string, x: number | null): Promise<number | null> {
  if (x === null || !Number.isFinite(x)) return null;
  const expr = type === 'DATE' || type.startsWith('TIMESTAMP') ? `epoch_ms(${quoteIdent(column)}::TIMESTAMP)` : quoteIdent(column);
  const reader = await db.runAndReadAll(`SELECT count(*) FILTER (WHERE v < ${x}), count(*) FILTER (WHERE v <= ${x}), count(v) FROM (SELECT ${expr} AS v FROM ${source})`);
  const [lt, le, n] = (reader.getRows()[0] ?? []).map(Number) as [number, number, number];
  const lo = lt / n;
  const hi = le / n;
  return lo <= 0.5 && 0.5 <= hi ? 0 : Math.min(Math.abs(lo - 0.5), Math.abs(hi - 0.5));
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(3)} %`);
const lines: string[] = [];
lines.push('column        type      exact-distinct  ours-distinct (err)        duckdb-distinct (err)      ours-median-rank-err  duckdb-median-rank-err');
for (const d of duck.columns) {
  const o = ours.columns.find((c) => c.name === d.name);
  const exact = exactDistinct.get(d.name) ?? 0;
  const relErr = (v: number | undefined): string => (v === undefined || exact === 0 ? '—' : pct(Math.abs(v - exact) / exact));
  const duckP50 = d.p50 === null ? null : d.type === 'DATE' || d.type.startsWith('TIMESTAMP') ? Date.parse(`${d.p50}${d.type === 'DATE' ? 'T00:00:00Z' : ''}`) : Number(d.p50);
  const oursRank = await medianRankError(d.name, d.type, typeof o?.p50 === 'number' ? o.p50 : null);
  const duckRank = await medianRankError(d.name, d.type, duckP50);
  lines.push(
    `${d.name.padEnd(13)} ${d.type.padEnd(9)} ${String(exact).padStart(14)}  ${`${o?.distinct ?? '—'} (${relErr(o?.distinct)})`.padEnd(26)} ${`${d.distinct} (${relErr(d.distinct)})`.padEnd(26)} ${pct(oursRank).padStart(20)}  ${pct(duckRank).padStart(22)}`,
  );
}

console.log('');
console.log(`distinct counts and medians of the sketch mode (${(modes[modes.length - 1] as { name: string }).name}) and DuckDB against exact values:`);
console.log(lines.join('\n'));
