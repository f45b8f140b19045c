/**
 * `npm run bench:bundles`: per handler, the bundle that ships (raw and gzip bytes) and its cold
 * start, against the budgets in docs/architecture.md §8.
 *
 *   npm run bench:bundles                          # every handler: sizes and cold starts
 *   npm run bench:bundles -- --runs 25             # more fresh processes per handler (default 15)
 *   npm run bench:bundles -- --no-init             # sizes only
 *   tsx bench/bundles.ts --only process-task --outdir /out   # just build one (the Dockerfile does this)
 *
 * Bundles are built with the esbuild options the CDK construct uses (lib/bundling.ts): ESM,
 * minified, tree-shaken, the AWS SDK v3 and `stripe` inside, target = the Lambda runtime's Node.
 *
 * Cold start: a local cloud (local/cloud.ts) runs in this process on free ports; each sample is a
 * fresh `node` process that imports one bundle ("module loaded") and then calls its handler once
 * with a real request against that cloud ("first call done"). Both are read with
 * `performance.now()`, i.e. counted from the start of the process, so Node's own start is in every
 * figure; the baseline is a bundle with an empty handler, measured in the same rounds. Each round
 * runs the baseline and every handler once, in a fresh random order, so drift in the machine's
 * load falls on all of them alike. Prints figures; never fails on a budget.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { jobs, routes } from '../lambdas/routes';
import { esbuildOptions, esbuildTarget, handlerEntry, repoRoot } from '../lib/bundling';

const KB = 1000;
/** ARCHITECTURE.md §8. */
const BUDGET = { rawBytes: 800 * KB, loadedOverBaselineMs: 150, firstCallOverBaselineMs: 250 };
const DEFAULT_RUNS = 15;
const BASELINE = '(empty module)';

interface Args {
  only?: string;
  outdir: string;
  init: boolean;
  runs: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { outdir: path.join(repoRoot, '.bench', 'bundles'), init: true, runs: DEFAULT_RUNS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--only' && value) (args.only = value), (args.init = false), i++;
    else if (flag === '--outdir' && value) (args.outdir = path.resolve(value)), i++;
    else if (flag === '--runs' && value && Number.isInteger(Number(value)) && Number(value) > 0) (args.runs = Number(value)), i++;
    else if (flag === '--no-init') args.init = false;
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: npm run bench:bundles [-- --runs <n>] [--no-init] [--outdir <dir>] [--only <handler>]');
      console.log('  --runs <n>        fresh processes per handler and for the baseline (default 15)');
      console.log('  --no-init         sizes only, no local cloud, no cold starts');
      console.log('  --outdir <dir>    where bundles go (default .bench/bundles)');
      console.log('  --only <handler>  build that one bundle and nothing else (the Dockerfile uses it)');
      process.exit(0);
    } else throw new Error(`unknown argument ${flag} (see --help)`);
  }
  return args;
}

interface Bundle {
  file: string;
  /** Output bytes per npm package (or `(project)`), largest first. */
  packages: [string, number][];
}

/** Bundle one entry the way the construct does. */
export async function bundleEntry(name: string, entry: string, outdir: string): Promise<Bundle> {
  const outfile = path.join(outdir, name, 'index.mjs');
  rmSync(path.dirname(outfile), { recursive: true, force: true });
  mkdirSync(path.dirname(outfile), { recursive: true });
  const result = await build({ ...esbuildOptions, entryPoints: [entry], outfile, logLevel: 'error', absWorkingDir: repoRoot, metafile: true });
  const bytes = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const pkg = match?.[1] ?? '(project)';
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return { file: outfile, packages: [...bytes].sort((a, b) => b[1] - a[1]) };
}

export const bundleHandler = (name: string, outdir: string): Promise<Bundle> => bundleEntry(name, handlerEntry(name), outdir);

// ---------------------------------------------------------------------------------------------
// Cold starts

interface Sample {
  loaded: number;
  done?: number;
  outcome?: string;
}

/** What the child runs: import, then one call; figures from the process's own clock. */
const CHILD = `
const t = () => performance.now();
const mod = await import(process.env.BENCH_BUNDLE_URL);
const loaded = t();
let done, outcome;
if (process.env.BENCH_EVENT) {
  const context = { awsRequestId: 'bench', functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench', memoryLimitInMB: '512', logGroupName: 'bench', logStreamName: 'bench', callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 10000, done() {}, fail() {}, succeed() {} };
  const result = await mod.handler(JSON.parse(process.env.BENCH_EVENT), context);
  done = t();
  outcome = result && typeof result === 'object' && 'statusCode' in result ? String(result.statusCode) : typeof result === 'string' ? result : 'ok';
}
process.stdout.write('\\nBENCH ' + JSON.stringify({ loaded, done, outcome }) + '\\n');
process.exit(0);
`;

function runChild(bundle: string, env: NodeJS.ProcessEnv, event: unknown): Promise<Sample | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...env, BENCH_BUNDLE_URL: pathToFileURL(bundle).href, ...(event === undefined ? {} : { BENCH_EVENT: JSON.stringify(event) }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = /^BENCH (.+)$/m.exec(stdout)?.[1];
      if (line) return resolve(JSON.parse(line) as Sample);
      const reason = (stderr || stdout).split('\n').find((l) => /error/i.test(l)) ?? `exit ${code}`;
      resolve(`failed: ${reason.trim().slice(0, 160)}`);
    });
  });
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (at - lo);
};
const median = (values: number[]): number => quantile(values, 0.5);
/** Median and interquartile range, e.g. `212 (205–230)`. */
const spread = (values: number[]): string =>
  values.length ? `${median(values).toFixed(0)} (${quantile(values, 0.25).toFixed(0)}–${quantile(values, 0.75).toFixed(0)})` : '-';

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** An API Gateway HTTP API (v2) event, as local/gateway.ts and API Gateway build them. */
function httpEvent(method: string, routePath: string, rawPath: string, opts: { body?: unknown; headers?: Record<string, string>; params?: Record<string, string>; sourceIp?: string } = {}) {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${method} ${routePath}`,
    rawPath,
    rawQueryString: '',
    headers: { host: '127.0.0.1', 'user-agent': 'bench', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    ...(opts.params ? { pathParameters: opts.params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: 'bench',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: opts.sourceIp ?? '127.0.0.1', userAgent: 'bench' },
      requestId: `bench-${now}`,
      routeKey: `${method} ${routePath}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** What each handler's first call is; `undefined`: the bundle is only imported (and why). */
type FirstCall = { describe: string; event: (run: number) => unknown } | { skip: string; sizeOnly?: true };

interface Fixtures {
  site: string;
  bucket: string;
  uploadKey: string;
  orderId: string;
  sessionId: string;
  session: unknown;
  webhookSecret: string;
  sign: (payload: string) => string;
  apiVersion: string;
}

function firstCalls(f: Fixtures): Record<string, FirstCall> {
  const stripeEvent = (id: string) => ({
    id,
    object: 'event',
    api_version: f.apiVersion,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: { object: f.session },
  });
  return {
    'get-config': { describe: 'GET /api/config', event: () => httpEvent('GET', '/api/config', '/api/config') },
    'create-order': {
      describe: 'POST /api/orders: DynamoDB put + presigned POST',
      event: (run) =>
        httpEvent('POST', '/api/orders', '/api/orders', {
          body: { email: `bench-create-${run}@example.com`, fileName: 'bench.csv', size: 12, contentType: 'text/csv' },
          sourceIp: `10.1.0.${run % 250}`,
        }),
    },
    'lookup-orders': {
      describe: 'POST /api/orders/lookup: rate counter + query by email + SES send',
      event: (run) => httpEvent('POST', '/api/orders/lookup', '/api/orders/lookup', { body: { email: `bench-lookup-${run}@example.com` }, sourceIp: `10.2.0.${run % 250}` }),
    },
    'get-order': {
      describe: 'GET /api/orders/{id} of a processed order: DynamoDB get + presigned GET',
      event: () => httpEvent('GET', '/api/orders/{orderId}', `/api/orders/${f.orderId}`, { params: { orderId: f.orderId } }),
    },
    'get-checkout-session': {
      describe: 'GET /api/checkout-sessions/{id} of a paid session: Stripe retrieve + DynamoDB',
      event: () => httpEvent('GET', '/api/checkout-sessions/{sessionId}', `/api/checkout-sessions/${f.sessionId}`, { params: { sessionId: f.sessionId } }),
    },
    'stripe-webhook': {
      describe: 'POST /api/stripe/webhook, a new signed checkout.session.completed of a delivered order',
      event: (run) => {
        const body = JSON.stringify(stripeEvent(`evt_bench_webhook_${Date.now()}_${run}`));
        return httpEvent('POST', '/api/stripe/webhook', '/api/stripe/webhook', { body, headers: { 'stripe-signature': f.sign(body) } });
      },
    },
    'stripe-events': {
      describe: 'EventBridge: the same event through Stripe’s event destination',
      event: (run) => ({
        version: '0',
        id: `bench-${run}`,
        'detail-type': 'checkout.session.completed',
        source: 'aws.partner/stripe.com/bench',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: stripeEvent(`evt_bench_eventbridge_${Date.now()}_${run}`),
      }),
    },
    download: {
      describe: 'GET /d/{token} with an unknown token: conditional update that loses + get',
      event: (run) => {
        const token = `bench${run}`.padEnd(43, 'x');
        return httpEvent('GET', '/d/{token}', `/d/${token}`, { params: { token } });
      },
    },
    'process-upload': {
      describe: 'S3 Object Created again for a processed upload: head + DynamoDB (the claim is lost)',
      event: () => ({
        version: '0',
        id: 'bench',
        'detail-type': 'Object Created',
        source: 'aws.s3',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'us-east-1',
        resources: [`arn:aws:s3:::${f.bucket}`],
        detail: {
          version: '0',
          bucket: { name: f.bucket },
          object: { key: f.uploadKey, size: 12, etag: 'bench', sequencer: '0' },
          'request-id': 'bench',
          requester: '000000000000',
          'source-ip-address': '127.0.0.1',
          reason: 'POST Object',
        },
      }),
    },
    sweeper: { describe: 'scheduled sweep: DynamoDB scans/queries, Stripe list', event: () => ({}) },
    'stripe-wiring': { skip: 'deploy-time custom resource: imported only' },
    'process-task': { skip: 'Fargate entry: runs the job at import; size only', sizeOnly: true },
  };
}

/** A paid, processed and delivered order on the local cloud: what the first calls read. */
async function prepare(cloud: import('../local/cloud').LocalCloud): Promise<Fixtures> {
  const { stripeClient, STRIPE_API_VERSION } = await import('../lambdas/adapters/stripe-client');
  const site = cloud.urls.site;
  const csv = 'a,b\n1,2\n3,4\n';
  const created = await fetch(`${site}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', fileName: 'bench.csv', size: csv.length, contentType: 'text/csv' }),
  });
  if (created.status !== 201) throw new Error(`bench set-up: create order answered ${created.status} ${await created.text()}`);
  const order = (await created.json()) as { orderId: string; upload: { url: string; fields: Record<string, string> } };
  const form = new FormData();
  for (const [k, v] of Object.entries(order.upload.fields)) form.append(k, v);
  form.append('file', new Blob([csv]), 'bench.csv');
  const uploaded = await fetch(order.upload.url, { method: 'POST', body: form });
  if (!uploaded.ok) throw new Error(`bench set-up: upload answered ${uploaded.status}`);
  await cloud.idle();
  const payUrl = new URL(cloud.config.stripe.paymentLinkUrl as string);
  payUrl.searchParams.set('client_reference_id', order.orderId);
  const paid = await fetch(payUrl, {
    method: 'POST',
    body: new URLSearchParams({ email: 'bench@example.com', card_number: '4242424242424242', client_reference_id: order.orderId }),
    redirect: 'manual',
  });
  const sessionId = new URL(paid.headers.get('location') ?? 'http://x/').searchParams.get('session_id');
  if (!sessionId) throw new Error(`bench set-up: the payment page answered ${paid.status} without a session`);
  await cloud.idle();
  const stripe = stripeClient({ apiKey: process.env.STRIPE_SECRET_KEY as string, endpoint: cloud.urls.stripe });
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET as string;
  return {
    site,
    bucket: cloud.config.bucketName,
    uploadKey: order.upload.fields.key as string,
    orderId: order.orderId,
    sessionId,
    session,
    webhookSecret,
    sign: (payload) => stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }),
    apiVersion: STRIPE_API_VERSION,
  };
}

interface Row {
  name: string;
  file: string;
  raw: number;
  gzip: number;
  call?: FirstCall;
  loaded: number[];
  done: number[];
  outcomes: Map<string, number>;
  failure?: string;
}

async function measure(rows: Row[], baseline: Row, runs: number): Promise<void> {
  const { startLocalCloud } = await import('../local/cloud');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'uplock-bench-bundles-'));
  const cloud = await startLocalCloud({ dataDir, ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 }, sweepIntervalSeconds: 0, log: () => {} });
  try {
    const fixtures = await prepare(cloud);
    const calls = firstCalls(fixtures);
    for (const row of rows) row.call = calls[row.name] ?? { skip: 'no first call defined in bench/bundles.ts' };
    // The handlers' process environment as the local cloud sets it for itself (no NODE_OPTIONS:
    // the child measures a plain `node`, as Lambda starts one).
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      UPLOCK_CONFIG: process.env.UPLOCK_CONFIG,
      STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET,
      AWS_REGION: cloud.config.region,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const timed = [baseline, ...rows.filter((r) => !r.failure && !(r.call && 'sizeOnly' in r.call))];
    for (let run = 0; run < runs; run++) {
      process.stderr.write(`\rround ${run + 1}/${runs}`);
      for (const row of shuffle(timed)) {
        if (row.failure) continue;
        const call = row === baseline ? { describe: '', event: () => ({}) } : row.call;
        const event = call && 'event' in call ? call.event(run) : undefined;
        const sample = await runChild(row.file, env, event);
        if (typeof sample === 'string') {
          row.failure = sample;
          continue;
        }
        row.loaded.push(sample.loaded);
        if (sample.done !== undefined) row.done.push(sample.done);
        if (sample.outcome !== undefined) row.outcomes.set(sample.outcome, (row.outcomes.get(sample.outcome) ?? 0) + 1);
      }
    }
    process.stderr.write('\n');
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
}

const kb = (bytes: number): string => `${(bytes / KB).toFixed(0)} KB`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.only) {
    await bundleHandler(args.only, args.outdir);
    console.log(`built ${path.join(args.outdir, args.only, 'index.mjs')}`);
    return;
  }
  // stripe-wiring runs only at deploy (custom resource, lib/payments.ts) and process-task in the
  // Fargate image, but both ship built the same way.
  const names = [...new Set<string>([...routes.map((r) => r.handler), ...jobs, 'stripe-wiring', 'process-task'])];
  const rows: Row[] = [];
  const largest: [string, [string, number][]][] = [];
  for (const name of names) {
    if (!existsSync(handlerEntry(name))) {
      console.log(`${name}: missing, no lambdas/handlers/${name}.ts`);
      continue;
    }
    const built = await bundleHandler(name, args.outdir);
    largest.push([name, built.packages.slice(0, 4)]);
    const raw = statSync(built.file).size;
    rows.push({ name, file: built.file, raw, gzip: gzipSync(readFileSync(built.file)).length, loaded: [], done: [], outcomes: new Map() });
  }
  // The baseline: an empty handler, bundled the same way (so it has the same banner).
  const baselineEntry = path.join(args.outdir, '_baseline-entry.mjs');
  mkdirSync(args.outdir, { recursive: true });
  writeFileSync(baselineEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
  const baseBundle = await bundleEntry('_baseline', baselineEntry, args.outdir);
  const baseline: Row = { name: BASELINE, file: baseBundle.file, raw: statSync(baseBundle.file).size, gzip: gzipSync(readFileSync(baseBundle.file)).length, loaded: [], done: [], outcomes: new Map() };

  if (args.init) await measure(rows, baseline, args.runs);

  const baseLoaded = median(baseline.loaded);
  const baseDone = median(baseline.done);
  const verdict = (value: number, base: number, budget: number): string => {
    const over = value - base;
    return `${over >= 0 ? '+' : ''}${over.toFixed(0)} ${over <= budget ? 'ok' : `OVER ${budget}`}`;
  };
  const header = ['handler', 'raw', 'gzip', 'size'];
  if (args.init) header.push(`module loaded ms, median (IQR), n=${args.runs}`, 'vs baseline', 'first call done ms', 'vs baseline', 'first call answered');
  const table: string[][] = [header];
  if (args.init) table.push([BASELINE, kb(baseline.raw), kb(baseline.gzip), '', spread(baseline.loaded), '', spread(baseline.done), '', '']);
  for (const row of rows) {
    const cells = [row.name, kb(row.raw), kb(row.gzip), row.raw <= BUDGET.rawBytes ? 'ok' : `OVER ${kb(BUDGET.rawBytes)}`];
    if (args.init) {
      if (row.failure) cells.push(row.failure, '', '', '', '');
      else if (row.call && 'sizeOnly' in row.call) cells.push('-', '', '-', '', row.call.skip);
      else {
        cells.push(spread(row.loaded), row.loaded.length ? verdict(median(row.loaded), baseLoaded, BUDGET.loadedOverBaselineMs) : '');
        const skipped = row.call && 'skip' in row.call ? row.call.skip : undefined;
        if (skipped) cells.push('-', '', skipped);
        else
          cells.push(
            spread(row.done),
            row.done.length ? verdict(median(row.done), baseDone, BUDGET.firstCallOverBaselineMs) : '',
            [...row.outcomes].map(([o, n]) => (n === row.done.length ? o : `${o}×${n}`)).join(' '),
          );
      }
    }
    table.push(cells);
  }
  printTable(table);

  if (args.init) {
    console.log('\nfirst calls (against the local cloud, one per fresh process):');
    for (const row of rows) if (row.call && 'describe' in row.call) console.log(`  ${row.name.padEnd(22)} ${row.call.describe}`);
  }
  console.log('\nlargest contributors (minified bytes in the bundle):');
  for (const [name, packages] of largest) console.log(`  ${name.padEnd(22)} ${packages.map(([p, b]) => `${p} ${kb(b)}`).join(', ')}`);
  console.log(
    `\nesbuild target ${esbuildTarget} (the Lambda runtime), measured on node ${process.versions.node}; bundles in ${path.relative(repoRoot, args.outdir) || '.'}.` +
      `\nbudgets (docs/architecture.md §8): ≤ ${kb(BUDGET.rawBytes)} raw; module loaded ≤ baseline + ${BUDGET.loadedOverBaselineMs} ms; first call done ≤ baseline + ${BUDGET.firstCallOverBaselineMs} ms.`,
  );
}

await main();
