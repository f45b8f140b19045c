/**
 * `npm run bench:webhook`: how many Stripe events per second the webhook handles on the local
 * cloud with 20 concurrent deliveries, and the latency percentiles. Two loads:
 *   - fulfil: each event pays a different order whose job is done (verify → dedupe → validate →
 *     record payment → claim → mint token → SES email → mark delivered);
 *   - replay: the same events again (verify → dedupe → 200), what Stripe's retries cost.
 * Usage: npm run bench:webhook [-- --events 400 --concurrency 20]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { stripeClient } from '../lambdas/adapters/stripe-client';
import { startLocalCloud } from '../local/cloud';

const { values } = parseArgs({ options: { events: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '20' } } });
const EVENTS = Number(values.events);
const CONCURRENCY = Number(values.concurrency);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uplock-bench-'));
const cloud = await startLocalCloud({ dataDir, ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 }, sweepIntervalSeconds: 0 });
const site = cloud.urls.site;

async function readyOrder(i: number): Promise<string> {
  const csv = `a,b\n${i},${i * 2}\n`;
  const res = await fetch(`${site}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `bench${i}@example.com`, fileName: 'b.csv', size: csv.length }) });
  const order = (await res.json()) as { orderId: string; upload: { url: string; fields: Record<string, string> } };
  const form = new FormData();
  for (const [k, v] of Object.entries(order.upload.fields)) form.append(k, v);
  form.append('file', new Blob([csv]), 'b.csv');
  // On a loaded machine s3rver can reset a kept-alive connection: the upload is retried, and one
  // that still fails is reported, not paid for later.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(order.upload.url, { method: 'POST', body: form });
      if (res.ok) break;
      throw new Error(`upload answered ${res.status}`);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  return order.orderId;
}

/**
 * Only orders whose job is done are paid: a payment for a failed job is refunded ("no result, no
 * charge"), and the bench's made-up payment intents cannot be refunded at the stand-in (500s).
 */
async function doneOnly(ids: string[]): Promise<string[]> {
  const states = await Promise.all(ids.map(async (id) => ({ id, view: (await (await fetch(`${site}/api/orders/${id}`)).json()) as { job: string; error?: { code: string } } })));
  const failed = states.filter((s) => s.view.job !== 'done');
  if (failed.length) console.log(`${failed.length} orders not ready, left out: ${[...new Set(failed.map((s) => s.view.error?.code ?? s.view.job))].join(', ')}`);
  return states.filter((s) => s.view.job === 'done').map((s) => s.id);
}

console.log(`preparing ${EVENTS} orders…`);
const orderIds: string[] = [];
for (let i = 0; i < EVENTS; i += 20) orderIds.push(...(await Promise.all(Array.from({ length: Math.min(20, EVENTS - i) }, (_, j) => readyOrder(i + j)))));
await cloud.idle();
const readyIds = await doneOnly(orderIds);
orderIds.length = 0;
orderIds.push(...readyIds);

// A genuine session from the stand-in as the template for every event.
const stripeUrl = new URL(cloud.urls.stripe);
const stripe = stripeClient({ apiKey: 'sk_test_uplock_local', endpoint: stripeUrl.origin });
const donor = await readyOrder(EVENTS + 1);
await cloud.idle();
const payUrl = new URL(cloud.config.stripe.paymentLinkUrl as string);
payUrl.searchParams.set('client_reference_id', donor);
const paid = await fetch(payUrl, { method: 'POST', body: new URLSearchParams({ email: 'donor@example.com', card_number: '4242424242424242', client_reference_id: donor }), redirect: 'manual' });
const sessionId = new URL(paid.headers.get('location') as string).searchParams.get('session_id') as string;
const template = await stripe.checkout.sessions.retrieve(sessionId);

const bodies = orderIds.map((orderId, i) =>
  JSON.stringify({
    id: `evt_bench_${i}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: { object: { ...template, id: `cs_test_bench${i}`, payment_intent: `pi_bench${i}`, client_reference_id: orderId, customer_details: { ...template.customer_details, email: `bench${i}@example.com` } } },
  }),
);

async function run(label: string): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  // CPU time of this process (handlers, emulators and load generator alike): on a machine shared
  // with other work, events/s follow the load; CPU per event does much less.
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const signature = stripe.webhooks.generateTestHeaderString({ payload: body, secret: cloud.webhookSecret });
        const t0 = performance.now();
        const res = await fetch(`${site}/api/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuMsPerEvent = (used.user + used.system) / 1000 / bodies.length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(1);
  console.log(
    `${label.padEnd(8)} ${bodies.length} events, concurrency ${CONCURRENCY}: ${(bodies.length / seconds).toFixed(0)} events/s, p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms, non-200: ${failures}, CPU ${cpuMsPerEvent.toFixed(1)} ms/event, load ${os.loadavg()[0]?.toFixed(1)}`,
  );
}

await run('fulfil');
const store = (await (await fetch(cloud.urls.sesStore)).json()) as { emails: { destination: { to: string[] } }[] };
const delivered = store.emails.filter((e) => e.destination.to.some((t) => t.startsWith('bench'))).length;
await run('replay');
const after = ((await (await fetch(cloud.urls.sesStore)).json()) as { emails: unknown[] }).emails.length;
console.log(`delivery emails after fulfil: ${delivered} of ${bodies.length}; emails added by the replay run: ${after - store.emails.length}`);

await cloud.stop();
await rm(dataDir, { recursive: true, force: true });
