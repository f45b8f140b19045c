/**
 * Runs one profile of a file in a fresh process and prints figures as JSON on stdout, so the
 * benchmark can read this process's own peak RSS. Bundled by bench/processor.ts with esbuild
 * (as the Lambda is), then run with plain node: `node processor-child.mjs FILE [MEMORY_MB]`.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createProfileProcessor } from '../lambdas/processors/profile/index';
import type { ProfileReport } from '../lambdas/processors/profile/report-model';
import { figures, startClock } from './child-figures';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node processor-child.mjs FILE');
  process.exit(2);
}
const bytes = statSync(file).size;
const clock = startClock();
// Optional second argument: the memory budget in MB (0: every figure from sketches).
const memoryMb = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const profileProcessor = createProfileProcessor(memoryMb === undefined ? {} : { memoryBudgetMb: memoryMb });
const result = await profileProcessor.process({
  body: createReadStream(file, { highWaterMark: 256 * 1024 }),
  fileName: basename(file),
  maxBytes: Number.MAX_SAFE_INTEGER,
  sizeBytes: bytes,
});
const measured = figures(clock);
const json = result.artifacts.find((a) => a.name === 'report.json');
if (json === undefined || typeof json.body !== 'string') throw new Error('report.json missing');
const report = JSON.parse(json.body) as ProfileReport;
const html = result.artifacts.find((a) => a.name === 'report.html');
process.stdout.write(
  JSON.stringify({
    ...measured,
    bytes,
    rows: report.file.rows,
    exact: report.meta.exact,
    heapUsedMb: process.memoryUsage().heapUsed / 1048576,
    externalMb: process.memoryUsage().external / 1048576,
    htmlBytes: html === undefined ? 0 : String(html.body).length,
    columns: report.columns.map((c) => ({ name: c.name, type: c.type, distinct: c.distinct.value, p50: c.stats?.quantiles.p50 ?? null, unit: c.stats?.unit ?? null })),
  }),
);
