/**
 * `npm run bench:sweeper`: the reconciliation sweeper (lambdas/handlers/sweeper.ts, the real
 * handler) against the local cloud (dynalite, the Stripe stand-in, SES) with 10,000 Checkout
 * Sessions of the Payment Link, created over the last four days (the sweeper's look-back):
 *
 *   - most paid and settled: the order is paid and delivered, its token and PaymentIntent items exist;
 *   - a share paid whose webhook was lost: the order is still unpaid (the sweep fulfils and mails it);
 *   - second payments for settled orders (the sweep refunds them, at the stand-in, and mails the payer);
 *   - settled orders refunded at Stripe whose `charge.refunded` never arrived (the sweep lists the
 *     event, revokes the link, marks the order refunded and tells the buyer);
 *   - expired sessions, never paid (Stripe lists only `status=complete` to the sweeper).
 *
 * It times a first sweep and a second one (everything settled), each under the sweeper's 2-minute
 * Lambda deadline, running further passes while the cursor says a pass is unfinished; counts
 * DynamoDB requests at dynalite and Stripe API calls at the stand-in (their HTTP servers, through
 * `node:diagnostics_channel`); and starts a second sweeper while a third sweep runs, which the lease
 * must refuse. Figures only, no assertions on time.
 *
 * Seeding does not go through 10,000 HTTP checkouts: a first start of the local cloud wires the
 * Payment Link, the sessions are written into the stand-in's data file between two starts, and
 * the orders with DynamoDB BatchWriteItem.
 *
 * Usage: npm run bench:sweeper [-- --sessions 10000 --unreconciled 500 --duplicates 50 --refunds 50 --expired 500 --port-base 43320]
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientSettings } from '../lambdas/adapters/clients';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../local/cloud';
import { lambdaContext } from '../local/lambda-context';
import { makeCharge, makeCheckoutSession, makeCustomerDetails, makeEvent, makePaymentIntent, type CheckoutSession } from '../local/stripe/objects';
import { newId } from '../local/stripe/ids';
import type { StoreData } from '../local/stripe/store';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000' },
    unreconciled: { type: 'string', default: '500' },
    duplicates: { type: 'string', default: '50' },
    refunds: { type: 'string', default: '50' },
    expired: { type: 'string', default: '500' },
    'port-base': { type: 'string', default: '43320' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:sweeper [-- options]
Times the reconciliation sweeper over many Checkout Sessions on the local cloud.
  --sessions N       sessions in all (default 10000)
  --unreconciled N   paid sessions whose webhook was lost (default 500)
  --duplicates N     second payments for settled orders (default 50)
  --refunds N        settled orders refunded at Stripe, event lost (default 50)
  --expired N        expired, never paid sessions (default 500)
  --port-base P      five ports from P for the local cloud (default 43320)`);
  process.exit(0);
}
const count = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, not ${String(values[name])}`);
    process.exit(2);
  }
  return n;
};
const SESSIONS = count('sessions');
const MIX = { unreconciled: count('unreconciled'), duplicates: count('duplicates'), refunds: count('refunds'), expired: count('expired') };
const SETTLED = SESSIONS - MIX.unreconciled - MIX.duplicates - MIX.refunds - MIX.expired;
if (SETTLED < MIX.duplicates) {
  console.error('the mix leaves fewer settled sessions than second payments: raise --sessions');
  process.exit(2);
}
const PORT_BASE = count('port-base');
/** The sweeper's timeout in the stack (lib/payments.ts), which the local cloud's timer gives it too. */
const SWEEPER_TIMEOUT_MS = 120_000;
const MAX_PASSES = 10;

// ---- counting at the servers -------------------------------------------------------------

interface Tally {
  dynamo: Record<string, number>;
  /** Keys asked for in BatchGetItem requests (each is one item read). */
  batchGetKeys: number;
  stripe: Record<string, number>;
}
const tally: Tally = { dynamo: {}, batchGetKeys: 0, stripe: {} };
const ports = { dynamodb: 0, stripe: 0 };
const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);

subscribe('http.server.request.start', (message) => {
  const { request, server } = message as { request: IncomingMessage; server: Server };
  const port = (server.address() as AddressInfo | null)?.port;
  if (port === ports.dynamodb && ports.dynamodb) {
    const target = String(request.headers['x-amz-target'] ?? '').split('.').at(-1) ?? 'unknown';
    bump(tally.dynamo, target);
    if (target === 'BatchGetItem') {
      // dynalite reads the body with 'data' listeners too: a second listener sees the same chunks.
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { RequestItems?: Record<string, { Keys?: unknown[] }> };
          for (const table of Object.values(body.RequestItems ?? {})) tally.batchGetKeys += table.Keys?.length ?? 0;
        } catch {
          // Not ours to judge: dynalite answers a malformed body itself.
        }
      });
    }
  } else if (port === ports.stripe && ports.stripe) {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (!url.pathname.startsWith('/v1/')) return;
    const shape = url.pathname.replace(/\/[a-z]+_[A-Za-z0-9_]+/g, '/{id}');
    bump(tally.stripe, `${request.method ?? 'GET'} ${shape}`);
  }
});

const snapshot = (): Tally => structuredClone(tally);
function since(before: Tally): Tally {
  const diff = (now: Record<string, number>, then: Record<string, number>) =>
    Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (then[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
  return { dynamo: diff(tally.dynamo, before.dynamo), batchGetKeys: tally.batchGetKeys - before.batchGetKeys, stripe: diff(tally.stripe, before.stripe) };
}

const READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan'];
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
const sum = (record: Record<string, number>, keys?: string[]) => Object.entries(record).reduce((n, [k, v]) => (keys && !keys.includes(k) ? n : n + v), 0);
const list = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function costLines(t: Tally): string[] {
  const reads = Object.fromEntries(Object.entries(t.dynamo).filter(([k]) => READS.includes(k)));
  const writes = Object.fromEntries(Object.entries(t.dynamo).filter(([k]) => WRITES.includes(k)));
  return [
    `  DynamoDB requests: ${sum(reads)} reads (${list(reads)}; ${t.batchGetKeys} keys batched), ${sum(writes)} writes (${list(writes)})`,
    `  Stripe API calls: ${sum(t.stripe)} (${list(t.stripe)})`,
  ];
}

// ---- the local cloud, started twice on the same ports and data directory -----------------

// The sweeper's per-order warnings (a second payment refunded) would bury the figures.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uplock-bench-sweeper-'));
const cloudOptions: LocalCloudOptions = {
  dataDir,
  // Fixed ports: the handlers read their config once per process, so both starts must agree.
  ports: { gateway: PORT_BASE, dynamodb: PORT_BASE + 1, s3: PORT_BASE + 2, ses: PORT_BASE + 3, stripe: PORT_BASE + 4 },
  // The bench runs the sweeper itself.
  sweepIntervalSeconds: 0,
};

console.log(`bench:sweeper: ${SESSIONS.toLocaleString('en')} Checkout Sessions on the local cloud (${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);

// First start: the deploy-time wiring makes the Product, Price and Payment Link at the stand-in.
let cloud: LocalCloud = await startLocalCloud(cloudOptions);
const linkId = cloud.config.stripe.paymentLinkId;
const price = cloud.config.price;
const siteUrl = cloud.urls.site;
if (!linkId) throw new Error('the local cloud wired no Payment Link');
await cloud.stop();

const seedStarted = performance.now();
const nowSeconds = Math.floor(Date.now() / 1000);
/** Created over the last 3.9 days: all inside the sweeper's four-day look-back. */
const SPAN_SECONDS = Math.floor(3.9 * 24 * 3600);
const createdAt = (i: number) => nowSeconds - SPAN_SECONDS + Math.floor((i * SPAN_SECONDS) / SESSIONS);

type Kind = 'settled' | 'unreconciled' | 'duplicate' | 'refunded' | 'expired';
const kinds: Kind[] = [
  ...Array<Kind>(SETTLED).fill('settled'),
  ...Array<Kind>(MIX.unreconciled).fill('unreconciled'),
  ...Array<Kind>(MIX.duplicates).fill('duplicate'),
  ...Array<Kind>(MIX.refunds).fill('refunded'),
  ...Array<Kind>(MIX.expired).fill('expired'),
];
{
  // Shuffled with a fixed seed, so each Stripe page holds a bit of everything and runs compare.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  // A second payment comes after the first: a settled session goes before the first of them.
  const firstDuplicate = kinds.indexOf('duplicate');
  const firstSettled = kinds.indexOf('settled');
  if (firstDuplicate >= 0 && firstDuplicate < firstSettled) [kinds[firstDuplicate], kinds[firstSettled]] = ['settled', 'duplicate'];
}

const stripeFile = path.join(dataDir, 'stripe.json');
const data = JSON.parse(readFileSync(stripeFile, 'utf8')) as StoreData;
const items: Record<string, unknown>[] = [];
const settledOrders: { orderId: string; createdIndex: number }[] = [];
const tokenTtl = 7 * 24 * 3600;
const orderTtl = 30 * 24 * 3600;

function paidObjects(amount: number, currency: string, email: string, created: number) {
  const paymentMethod = newId.paymentMethod();
  const pi = makePaymentIntent({ amount, currency, paymentMethod, kind: 'card', receiptEmail: null, status: 'succeeded' });
  const charge = makeCharge({ amount, currency, paymentIntent: pi.id, paymentMethod, kind: 'card', last4: '4242', email, status: 'succeeded' });
  pi.latest_charge = charge.id;
  pi.created = created;
  charge.created = created;
  return { pi, charge };
}

function session(orderId: string, created: number, opts: { paidBy?: string; paymentIntent?: string; expired?: boolean }): CheckoutSession {
  const s = makeCheckoutSession({
    amount: price.amount,
    currency: price.currency,
    clientReferenceId: orderId,
    customerEmail: null,
    paymentLink: linkId as string,
    metadata: {},
    successUrl: `${siteUrl}/order.html?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: null,
    url: null,
    paymentMethodTypes: ['card'],
    customerCreation: 'if_required',
    allowPromotionCodes: null,
    billingAddressCollection: null,
    submitType: null,
  });
  s.created = created;
  s.expires_at = created + 24 * 3600;
  if (opts.expired) {
    s.status = 'expired';
  } else {
    s.status = 'complete';
    s.payment_status = 'paid';
    s.payment_intent = opts.paymentIntent ?? `pi_${randomBytes(12).toString('hex')}`;
    s.customer_details = makeCustomerDetails(opts.paidBy ?? 'payer@example.com');
  }
  return s;
}

function orderItem(orderId: string, i: number, created: number, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    pk: `ORDER#${orderId}`,
    orderId,
    email: `buyer${i}@example.com`,
    fileName: 'data.csv',
    size: 1200,
    lang: 'en',
    createdAt: new Date((created - 120) * 1000).toISOString(),
    job: 'done',
    jobStartedAt: new Date((created - 115) * 1000).toISOString(),
    jobEndedAt: new Date((created - 110) * 1000).toISOString(),
    primaryArtifact: 'report.html',
    resultFiles: ['report.html', 'report.json'],
    payment: 'unpaid',
    expiresAt: created + orderTtl,
    ...extra,
  };
}

/** A paid and delivered order, with its token and PaymentIntent items, as the webhook leaves it. */
function deliveredItems(orderId: string, i: number, created: number, sessionId: string, paymentIntentId: string, payer: string): Record<string, unknown>[] {
  const hash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const at = new Date((created + 5) * 1000).toISOString();
  return [
    orderItem(orderId, i, created, {
      payment: 'paid',
      sessionId,
      paymentIntentId,
      amount: price.amount,
      currency: price.currency,
      payerEmail: payer,
      paidAt: at,
      paymentUpdatedAt: at,
      deliveredAt: at,
      claimId: randomUUID(),
      tokenHashes: [hash],
    }),
    { pk: `TOKEN#${hash}`, orderId, downloadsLeft: 5, linkExpiresAt: created + tokenTtl, revoked: false, expiresAt: created + tokenTtl + orderTtl },
    { pk: `PI#${paymentIntentId}`, orderId },
  ];
}

const add = (s: CheckoutSession) => (data.checkoutSessions[s.id] = s);
const refundEvents: { created: number; charge: ReturnType<typeof paidObjects>['charge'] }[] = [];
for (let i = 0; i < kinds.length; i++) {
  const kind = kinds[i] as Kind;
  const created = createdAt(i);
  const payer = `payer${i}@example.com`;
  if (kind === 'duplicate') {
    // A second paid session for an order a settled session paid earlier: Stripe holds its charge.
    const target = settledOrders[(i * 31) % settledOrders.length] as { orderId: string };
    const { pi, charge } = paidObjects(price.amount, price.currency, payer, created);
    data.paymentIntents[pi.id] = pi;
    data.charges[charge.id] = charge;
    add(session(target.orderId, created, { paidBy: payer, paymentIntent: pi.id }));
    continue;
  }
  const orderId = randomUUID();
  if (kind === 'expired') {
    add(session(orderId, created, { expired: true }));
    items.push(orderItem(orderId, i, created, {}));
  } else if (kind === 'unreconciled') {
    add(session(orderId, created, { paidBy: payer }));
    items.push(orderItem(orderId, i, created, {}));
  } else if (kind === 'refunded') {
    const { pi, charge } = paidObjects(price.amount, price.currency, payer, created);
    charge.amount_refunded = charge.amount;
    charge.refunded = true;
    data.paymentIntents[pi.id] = pi;
    data.charges[charge.id] = charge;
    const s = add(session(orderId, created, { paidBy: payer, paymentIntent: pi.id }));
    items.push(...deliveredItems(orderId, i, created, s.id, pi.id, payer));
    // Refunded in the Dashboard a while after the payment; the webhook never arrived.
    refundEvents.push({ created: Math.min(nowSeconds - 60, created + 3600), charge });
  } else {
    const s = add(session(orderId, created, { paidBy: payer }));
    items.push(...deliveredItems(orderId, i, created, s.id, s.payment_intent as string, payer));
    settledOrders.push({ orderId, createdIndex: i });
  }
}
// Stripe lists events newest first by creation: stored in the order they happened.
for (const { created, charge } of refundEvents.sort((a, b) => a.created - b.created)) {
  const event = makeEvent({ type: 'charge.refunded', object: charge, previousAttributes: { amount_refunded: 0, refunded: false }, pendingWebhooks: 0 });
  event.created = created;
  data.events[event.id] = event;
}
writeFileSync(stripeFile, JSON.stringify(data));
const stripeBytes = (await stat(stripeFile)).size;

// Second start: the stand-in loads the seeded sessions; the orders go in with BatchWriteItem.
cloud = await startLocalCloud(cloudOptions);
ports.dynamodb = Number(new URL(cloud.urls.dynamodb).port);
ports.stripe = Number(new URL(cloud.urls.stripe).port);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientSettings('us-east-1', cloud.urls.dynamodb)));
{
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        let requests = (batches[next++] as Record<string, unknown>[]).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [cloud.config.tableName]: requests } }));
          requests = (out.UnprocessedItems?.[cloud.config.tableName] ?? []) as typeof requests;
        }
      }
    }),
  );
}
doc.destroy();
const seedSeconds = (performance.now() - seedStarted) / 1000;
const listed = SESSIONS - MIX.expired;
console.log(
  [
    `seeded in ${seedSeconds.toFixed(1)} s, created over the last 3.9 days (the sweeper looks back 4):`,
    `  ${SETTLED} paid and settled (order paid and delivered, token and PaymentIntent items written)`,
    `  ${MIX.unreconciled} paid whose webhook was lost (order done and still unpaid)`,
    `  ${MIX.duplicates} second payments for settled orders (charge at the stand-in, to be refunded)`,
    `  ${MIX.refunds} settled and then refunded at Stripe, charge.refunded never delivered`,
    `  ${MIX.expired} expired, never paid (not listed: the sweeper asks for status=complete)`,
    `  = ${SESSIONS} sessions, ${listed} of them complete; ${items.length} DynamoDB items; stand-in data file ${(stripeBytes / 1e6).toFixed(1)} MB`,
  ].join('\n'),
);

// ---- the sweeps ------------------------------------------------------------------------------

const sweeper = await import('../lambdas/handlers/sweeper');
type Result = Awaited<ReturnType<typeof sweeper.handler>>;
type Finished = Exclude<Result, { skipped: string }>;
const isFinished = (r: Result): r is Finished => !('skipped' in r);
const emailCount = async () => ((await (await fetch(cloud.urls.sesStore)).json()) as { emails: unknown[] }).emails.length;

const merge = (into: Record<string, number>, from: Partial<Record<string, number>>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
};

/**
 * Everything runs in this one process (handlers, dynalite, the Stripe and SES stand-ins): its CPU
 * time and how long its event loop was blocked (the stand-in writes its whole data file after each
 * change, SES its sent mail after each email) say how much of the wall time is the emulators'.
 */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number; loopMaxMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  loop.disable();
  return { value, seconds, cpuSeconds: (used.user + used.system) / 1e6, loopMaxMs: loop.max / 1e6 };
}

async function timedSweep(label: string): Promise<void> {
  const before = snapshot();
  const mailsBefore = await emailCount();
  const cpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const passes: { ms: number; unfinished: boolean; sessions: number }[] = [];
  const outcomes: Record<string, number> = {};
  const events: Record<string, number> = {};
  const jobs: Record<string, unknown>[] = [];
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const t0 = performance.now();
    const result = await sweeper.handler(undefined, lambdaContext('sweeper', SWEEPER_TIMEOUT_MS));
    if (!isFinished(result)) throw new Error(`sweep refused: ${JSON.stringify(result)}`);
    passes.push({ ms: performance.now() - t0, unfinished: Boolean(result.unfinished), sessions: result.sessions });
    merge(outcomes, result.outcomes);
    merge(events, result.events.outcomes);
    jobs.push({ ...result.jobs });
    if (!result.unfinished) break;
  }
  const wall = (performance.now() - started) / 1000;
  loop.disable();
  const used = process.cpuUsage(cpu);
  const sessions = passes.reduce((n, p) => n + p.sessions, 0);
  const cost = since(before);
  const longest = Math.max(...passes.map((p) => p.ms)) / 1000;
  console.log(`${label}: ${wall.toFixed(1)} s wall, ${sessions} sessions looked at, ${(sessions / wall).toFixed(0)} sessions/s`);
  console.log(
    `  ${passes.length} pass${passes.length > 1 ? 'es' : ''} (${passes.map((p) => `${(p.ms / 1000).toFixed(1)} s${p.unfinished ? ', unfinished: cursor saved' : ''}`).join('; ')}); ` +
      `longest ${longest.toFixed(1)} s of the ${SWEEPER_TIMEOUT_MS / 1000} s timeout: ${passes.at(-1)?.unfinished ? 'NOT finished' : 'finished'}${longest * 1000 < SWEEPER_TIMEOUT_MS ? ' within it' : ', over it'}`,
  );
  console.log(`  sessions: ${list(outcomes)}; events: ${list(events)}; jobs resumed: ${JSON.stringify(jobs.length === 1 ? jobs[0] : jobs)}`);
  for (const line of costLines(cost)) console.log(line);
  const writes = sum(cost.dynamo, WRITES);
  console.log(`  DynamoDB writes per listed session: ${(writes / Math.max(1, sessions)).toFixed(3)}; emails sent: ${(await emailCount()) - mailsBefore}`);
  console.log(`  this process (handlers and every emulator): ${((used.user + used.system) / 1e6).toFixed(1)} s CPU; event loop blocked up to ${(loop.max / 1e6).toFixed(0)} ms at once`);
}

await timedSweep('sweep 1 (first: fulfils, refunds, revokes)');
await timedSweep('sweep 2 (everything settled)');

// The handler's last step on its own: resumeExpiredJobs scans the table for expired job claims.
{
  const before = snapshot();
  // Imported here, not at the top: the adapters build their logger from the environment at import.
  // The sweeper's own deps (handlers/sweeper.ts resumeDeps), as its handler runs them.
  const { resumeExpiredJobs } = await import('../lambdas/core/job');
  const scan = await measured(() => resumeExpiredJobs(sweeper.resumeDeps));
  const cost = since(before);
  console.log(
    `of which resumeExpiredJobs alone (a filtered Scan of the whole table, ${items.length}+ items): ${scan.seconds.toFixed(1)} s, ` +
      `${cost.dynamo.Scan ?? 0} Scan pages, ${scan.cpuSeconds.toFixed(1)} s CPU; ${JSON.stringify(scan.value)}`,
  );
}

// A third sweep, and a second sweeper started while it holds the lease.
{
  const leaseWrites = () => tally.dynamo.PutItem ?? 0;
  const before = leaseWrites();
  const first = sweeper.handler(undefined, lambdaContext('sweeper', SWEEPER_TIMEOUT_MS));
  while (leaseWrites() === before) await new Promise((r) => setTimeout(r, 5));
  // The lease put has reached dynalite; give its answer a moment to come back.
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  const second = await sweeper.handler(undefined, lambdaContext('sweeper', SWEEPER_TIMEOUT_MS));
  const refusedMs = performance.now() - t0;
  const done = await first;
  const held = 'skipped' in second ? `refused (${second.skipped}, lease held until ${second.heldUntil ? new Date(second.heldUntil).toISOString() : '?'}) in ${refusedMs.toFixed(0)} ms` : `NOT refused: it swept ${second.sessions} sessions`;
  console.log(`sweep 3 with a concurrent second sweeper: the second ${held}; the first ${isFinished(done) ? `swept ${done.sessions} sessions` : `was skipped: ${JSON.stringify(done)}`}`);
}

await cloud.stop();
await rm(dataDir, { recursive: true, force: true });
