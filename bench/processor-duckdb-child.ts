/**
 * DuckDB SUMMARIZE (threads = 1) on one file in a fresh process; prints seconds, peak RSS and
 * its approximate distinct counts and medians as JSON. Run by bench/processor.ts.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { figures, startClock } from './child-figures';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: tsx processor-duckdb-child.ts FILE');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run('SET threads=1');
const clock = startClock();
const reader = await connection.runAndReadAll(`SUMMARIZE SELECT * FROM read_csv('${file.replaceAll("'", "''")}')`);
const measured = figures(clock);
const rows = reader.getRowObjectsJson() as Array<Record<string, unknown>>;
process.stdout.write(
  JSON.stringify({
    ...measured,
    columns: rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), distinct: Number(r.approx_unique), p50: r.q50 === null ? null : String(r.q50) })),
  }),
);
