/**
 * `npm run bench:e2e`: the local end-to-end budget (ARCHITECTURE.md §8, ≤ 2 s): upload of a
 * 1 MB CSV → job → preview → pay on the Stripe page → webhook → email in the SES store.
 * Prints each stage and the total for several runs, and the median.
 * Usage: npm run bench:e2e [-- --runs 5 --mb 1]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from '../local/cloud';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, mb: { type: 'string', default: '1' } } });
const RUNS = Number(values.runs);
const BYTES = Number(values.mb) * 1024 * 1024;

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uplock-bench-e2e-'));
const cloud = await startLocalCloud({ dataDir, ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 }, sweepIntervalSeconds: 0 });
const site = cloud.urls.site;

let csv = 'id,name,city,amount,date,flag\n';
for (let i = 0; csv.length < BYTES; i++) csv += `${i},user${i % 5000},city${i % 37},${(i * 7.31) % 1000},2024-0${(i % 9) + 1}-1${i % 10},${i % 2 === 0}\n`;
const file = Buffer.from(csv);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const totals: number[] = [];

for (let run = 1; run <= RUNS; run++) {
  const email = `e2e${run}-${Date.now()}@example.com`;
  const marks: [string, number][] = [];
  const t0 = performance.now();
  const mark = (label: string) => marks.push([label, performance.now() - t0]);

  const res = await fetch(`${site}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, fileName: 'bench.csv', size: file.length }) });
  const order = (await res.json()) as { orderId: string; upload: { url: string; fields: Record<string, string> } };
  mark('order created');
  const form = new FormData();
  for (const [k, v] of Object.entries(order.upload.fields)) form.append(k, v);
  form.append('file', new Blob([file]), 'bench.csv');
  const up = await fetch(order.upload.url, { method: 'POST', body: form });
  if (up.status !== 204) throw new Error(`upload failed: ${up.status}`);
  mark('uploaded');
  let view: { job: string; payUrl?: string };
  for (;;) {
    view = (await (await fetch(`${site}/api/orders/${order.orderId}`)).json()) as typeof view;
    if (view.job === 'done' || view.job === 'failed') break;
    await sleep(10);
  }
  if (view.job !== 'done' || !view.payUrl) throw new Error(`job ended ${view.job}`);
  mark('preview ready');
  const page = await fetch(view.payUrl);
  await page.text();
  const paid = await fetch(view.payUrl, { method: 'POST', body: new URLSearchParams({ email, card_number: '4242424242424242', client_reference_id: order.orderId }), redirect: 'manual' });
  if (paid.status !== 303) throw new Error(`payment failed: ${paid.status}`);
  mark('paid (redirected back)');
  for (;;) {
    const store = (await (await fetch(cloud.urls.sesStore)).json()) as { emails: { destination: { to: string[] } }[] };
    if (store.emails.some((e) => e.destination.to.includes(email))) break;
    await sleep(5);
  }
  mark('email sent');
  const total = marks[marks.length - 1]?.[1] ?? 0;
  totals.push(total);
  console.log(`run ${run}: ${marks.map(([l, t]) => `${l} ${t.toFixed(0)} ms`).join(' → ')}`);
}

totals.sort((a, b) => a - b);
console.log(`\n${(file.length / 1024 / 1024).toFixed(2)} MB CSV, upload → email sent: median ${totals[Math.floor(totals.length / 2)]?.toFixed(0)} ms, min ${totals[0]?.toFixed(0)} ms, max ${totals[totals.length - 1]?.toFixed(0)} ms (budget 2000 ms)`);
await cloud.stop();
await rm(dataDir, { recursive: true, force: true });
