/**
 * DuckDB SUMMARIZE (threads = 1) on one file in a fresh process; prints seconds, peak RSS and
 * its approximate distinct counts and medians as JSON. Run by bench/processor.ts.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: tsx processor-duckdb-child.ts FILE');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run('SET threads=1');
const started = performance.now();
const cpuStart = process.cpuUsage();
const reader = await connection.runAndReadAll(`SUMMARIZE SELECT * FROM read_csv('${file.replaceAll("'", "''")}')`);
const seconds = (performance.now() - started) / 1000;
const rows = reader.getRowObjectsJson() as Array<Record<string, unknown>>;
process.stdout.write(
  JSON.stringify({
    seconds,
    cpuSeconds: (() => {
      const used = process.cpuUsage(cpuStart);
      return (used.user + used.system) / 1e6;
    })(),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    columns: rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), distinct: Number(r.approx_unique), p50: r.q50 === null ? null : String(r.q50) })),
  }),
);
