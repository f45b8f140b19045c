/**
 * Checks that a speed change of the profile changed no figure: profiles fixed files (the 2 M-row
 * bench file with every figure exact and with sketches only, its CRLF copy, real datasets from
 * vega-datasets, a JSON Lines copy) with a fixed time and order, and compares each report.json,
 * byte for byte, with the one saved before the change.
 *   npm run bench:processor:identical -- --save   # before the change: keep the reports
 *   npm run bench:processor:identical             # after: exit 1 and name the first differing line
 * Reports are kept under .bench/identical/ (one file per case), so a difference can be diffed.
 * The bench file comes from ../shared/bench/gen-csv.mjs (npm run bench:processor makes it).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileResult } from '../lambdas/processors/profile/index';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const save = process.argv.includes('--save');
const benchDir = join(root, '.bench');
const outDir = join(benchDir, 'identical');
mkdirSync(outDir, { recursive: true });

const benchFile = join(benchDir, 'bench.csv');
if (!existsSync(benchFile)) {
  const generator = resolve(root, '../shared/bench/gen-csv.mjs');
  console.log(`generating ${benchFile} …`);
  execFileSync(process.execPath, [generator, '2000000', benchFile], { stdio: 'inherit' });
}
// Derived copies: line ends CRLF (the scanner's other path), and a JSON Lines copy of 200,000 rows.
const crlfFile = join(benchDir, 'bench-300k-crlf.csv');
const jsonlFile = join(benchDir, 'bench-200k.jsonl');
if (!existsSync(crlfFile) || !existsSync(jsonlFile)) {
  const lines = readFileSync(benchFile, 'utf8').split('\n', 300_001);
  writeFileSync(crlfFile, `${lines.join('\r\n')}\r\n`);
  const header = (lines[0] as string).split(',');
  const records = lines.slice(1, 200_001).map((line) => {
    const cells = line.split(',');
    return JSON.stringify(Object.fromEntries(header.map((h, i) => [h, /^-?\d+(\.\d+)?$/.test(cells[i] ?? '') ? Number(cells[i]) : (cells[i] ?? null)])));
  });
  writeFileSync(jsonlFile, `${records.join('\n')}\n`);
}
const vega = join(root, 'node_modules/vega-datasets/data');
const vegaFiles = ['flights-200k.json', 'zipcodes.csv', 'birdstrikes.csv', 'movies.json', 'species.csv', 'sp500-2000.csv', 'seattle-weather.csv', 'github.csv', 'population.json']
  .map((f) => join(vega, f))
  .filter((f) => existsSync(f));

const cases: Array<{ name: string; file: string; budgetMb: number }> = [
  { name: 'bench-exact', file: benchFile, budgetMb: 16_384 },
  { name: 'bench-sketch', file: benchFile, budgetMb: 0 },
  { name: 'bench-64mb', file: benchFile, budgetMb: 64 },
  { name: 'bench-300k-crlf-exact', file: crlfFile, budgetMb: 16_384 },
  { name: 'bench-200k-jsonl-exact', file: jsonlFile, budgetMb: 16_384 },
  ...vegaFiles.map((f) => ({ name: `vega-${basename(f)}-exact`, file: f, budgetMb: 16_384 })),
];

let failed = 0;
for (const c of cases) {
  const started = performance.now();
  const { artifacts } = await profileResult(
    { body: createReadStream(c.file, { highWaterMark: 256 * 1024 }), fileName: basename(c.file), maxBytes: Number.MAX_SAFE_INTEGER, sizeBytes: statSync(c.file).size, lang: 'en', orderId: 'ord_identical', generatedAt: '2026-12-06T00:00:00.000Z' },
    { memoryBudgetMb: c.budgetMb },
  );
  const json = String(artifacts.find((a) => a.name === 'report.json')?.body);
  const html = String(artifacts.find((a) => a.name === 'report.html')?.body);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const target = join(outDir, `${c.name}.json`);
  const htmlTarget = join(outDir, `${c.name}.html`);
  if (save) {
    writeFileSync(target, json);
    writeFileSync(htmlTarget, html);
    console.log(`saved ${c.name} (${json.length} bytes, ${seconds} s)`);
    continue;
  }
  if (!existsSync(target)) {
    console.log(`${c.name}: no saved report (run with --save first)`);
    failed++;
    continue;
  }
  const before = readFileSync(target, 'utf8');
  const beforeHtml = readFileSync(htmlTarget, 'utf8');
  if (before === json && beforeHtml === html) {
    console.log(`identical ${c.name} (${json.length} bytes, ${seconds} s)`);
    continue;
  }
  failed++;
  writeFileSync(join(outDir, `${c.name}.after.json`), json);
  const a = before.split('\n');
  const b = json.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  console.log(`DIFFERENT ${c.name}: ${line >= 0 ? `report.json line ${line + 1}: ${a[line]?.trim()} → ${b[line]?.trim()}` : 'report.html differs'} (after: ${c.name}.after.json)`);
}
console.log(readdirSync(outDir).length > 0 && failed === 0 ? `all ${cases.length} reports identical${save ? ' (saved)' : ''}` : `${failed} of ${cases.length} differ`);
process.exit(failed === 0 ? 0 : 1);
