/**
 * Handler bundles against the budgets in docs/architecture.md §8: per handler the raw and gzip
 * size, and, interleaved with an empty-module baseline in the same run, the median and spread
 * (p25–p75) of "module loaded" and "first call done" in fresh `node` processes.
 *
 *   npm run bench:bundles                         # every handler, 15 rounds
 *   npm run bench:bundles -- --rounds 25
 *   tsx bench/bundles.ts --only process-task --outdir /out   # just build (the Dockerfile does this)
 *
 * Bundles are built with the esbuild options the CDK construct uses (lib/bundling.ts): the AWS
 * SDK, Powertools and Stripe inside, minified, ESM, target = the functions' Node version. Each
 * sample is one fresh process: "module loaded" is `performance.now()` (ms since the process
 * started) after importing the bundle; "first call done" is the same clock after the handler's
 * first answer to a representative event against a local cloud started here (DynamoDB, S3, SES,
 * Stripe stand-ins), so both include Node's own start, which the baseline (an empty module with
 * an empty handler) measures in the same rounds. Prints figures; never fails on a budget.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import Stripe from 'stripe';
import { jobs, routes } from '../lambdas/routes';
import { esbuildOptions, handlerEntry, repoRoot } from '../lib/bundling';

const KIB = 1024;
/** docs/architecture.md §8. */
const BUDGET = { rawBytes: 800 * KIB, loadedOverBaselineMs: 150, firstCallOverBaselineMs: 250 };
const DEFAULT_ROUNDS = 15;
const BASELINE = '(empty module)';

interface Args {
  only?: string;
  outdir: string;
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { outdir: path.join(repoRoot, '.bench', 'bundles'), rounds: DEFAULT_ROUNDS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--only' && value) (args.only = value), i++;
    else if (flag === '--outdir' && value) (args.outdir = path.resolve(value)), i++;
    else if (flag === '--rounds' && value && Number(value) >= 1) (args.rounds = Math.floor(Number(value))), i++;
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: tsx bench/bundles.ts [--rounds N (default 15)] [--outdir DIR] [--only HANDLER (build only)]');
      process.exit(0);
    } else throw new Error(`unknown argument ${flag} (use --rounds <n>, --outdir <dir>, --only <handler>, --help)`);
  }
  return args;
}

interface Bundle {
  file: string;
  /** Output bytes per npm package (or `(project)`), largest first. */
  packages: [string, number][];
}

/** Bundle one handler the way the construct does. */
export async function bundleHandler(name: string, outdir: string): Promise<Bundle> {
  const outfile = path.join(outdir, name, 'index.mjs');
  rmSync(path.dirname(outfile), { recursive: true, force: true });
  mkdirSync(path.dirname(outfile), { recursive: true });
  const result = await build({ ...esbuildOptions, entryPoints: [handlerEntry(name)], outfile, logLevel: 'error', absWorkingDir: repoRoot, metafile: true });
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

/** An API Gateway HTTP API v2 event, as local/gateway.ts builds it. */
function httpEvent(method: string, rawPath: string, routePath: string, pathParameters: Record<string, string>, body?: string, headers: Record<string, string> = {}) {
  const routeKey = `${method} ${routePath}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'bench.local', ...headers },
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`, userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

/**
 * A representative first request per handler, fresh per sample (new ids, so no sample finds the
 * previous one's writes): each makes the handler's usual AWS and Stripe calls. Undefined where a
 * handler has no request to time (stripe-wiring runs once per deploy as a custom resource).
 */
function firstCallEvent(name: string, ctx: { bucket: string; webhookSecret: string }): unknown {
  const email = `bench-${randomUUID()}@example.com`;
  switch (name) {
    case 'get-config':
      return httpEvent('GET', '/api/config', '/api/config', {});
    case 'create-order': // DynamoDB put + presigned POST
      return httpEvent('POST', '/api/orders', '/api/orders', {}, JSON.stringify({ email, fileName: 'bench.csv', size: 100, contentType: 'text/csv' }));
    case 'lookup-orders': // rate limit update + GSI query
      return httpEvent('POST', '/api/orders/lookup', '/api/orders/lookup', {}, JSON.stringify({ email }));
    case 'get-order': // GetItem (unknown order: 404)
      return httpEvent('GET', `/api/orders/${randomUUID()}`, '/api/orders/{orderId}', { orderId: randomUUID() });
    case 'get-checkout-session': // Stripe session retrieve
      return httpEvent('GET', '/api/checkout-sessions/cs_test_bench', '/api/checkout-sessions/{sessionId}', { sessionId: 'cs_test_bench' });
    case 'unsubscribe': // key derivation, then a token that does not verify: 404 without a write
      return httpEvent('POST', `/api/unsubscribe/${'A'.repeat(22)}.${'B'.repeat(22)}`, '/api/unsubscribe/{token}', { token: `${'A'.repeat(22)}.${'B'.repeat(22)}` });
    case 'request-erase': // rate-limit updates, GetItem of an unknown order: 202 without an email
      return httpEvent('POST', '/api/orders/x/erase-request', '/api/orders/{orderId}/erase-request', { orderId: randomUUID() }, '{}');
    case 'erase-order': // rate-limit update, GetItem of an unknown link: 404
      return httpEvent('POST', `/api/erase/${'A'.repeat(43)}`, '/api/erase/{token}', { token: 'A'.repeat(43) }, '{}');
    case 'download': // conditional UpdateItem on an unknown token, then GetItem
      return httpEvent('GET', `/d/${'A'.repeat(43)}`, '/d/{token}', { token: 'A'.repeat(43) });
    case 'stripe-webhook': {
      // Signature check, event dedupe (conditional put), order lookup: a paid session of an unknown order.
      const payload = JSON.stringify({
        id: `evt_bench_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        type: 'checkout.session.completed',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        api_version: Stripe.API_VERSION,
        data: { object: { id: 'cs_test_bench', object: 'checkout.session', client_reference_id: randomUUID(), payment_status: 'paid', status: 'complete', amount_total: 900, currency: 'usd', livemode: false } },
      });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: ctx.webhookSecret });
      return httpEvent('POST', '/api/stripe/webhook', '/api/stripe/webhook', {}, payload, { 'stripe-signature': signature });
    }
    case 'process-upload': // the job's claim on an unknown order: a conditional UpdateItem that loses
      return { 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: ctx.bucket }, object: { key: `uploads/${randomUUID()}/input`, size: 10 } } };
    case 'sweeper': // expired-job scan + Stripe session listing
      return {};
    case 'stripe-events': {
      const id = `evt_bench_${randomUUID().replace(/-/g, '')}`;
      return {
        'detail-type': 'checkout.session.completed',
        source: 'aws.partner/stripe.com/bench',
        id,
        detail: { id, object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000), livemode: false, api_version: Stripe.API_VERSION, data: { object: { id: 'cs_test_bench', object: 'checkout.session', client_reference_id: randomUUID(), payment_status: 'paid', status: 'complete', amount_total: 900, currency: 'usd', livemode: false } } },
      };
    }
    default:
      return undefined;
  }
}

const CHILD = `
const bundle = process.env.BENCH_BUNDLE;
const mod = await import(bundle);
const loaded = performance.now();
let done = null, outcome = '';
if (process.env.BENCH_EVENT) {
  try {
    const result = await mod.handler(JSON.parse(process.env.BENCH_EVENT), { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000 });
    outcome = result && typeof result === 'object' && 'statusCode' in result ? String(result.statusCode) : 'ok';
  } catch (error) {
    outcome = 'threw ' + (error && error.name);
  }
  done = performance.now();
}
process.stdout.write('BENCH ' + JSON.stringify({ loaded, done, outcome }) + '\\n');
process.exit(0);
`;

interface Sample {
  loaded: number;
  done: number | null;
  outcome: string;
}

function runChild(bundle: string, event: unknown, env: NodeJS.ProcessEnv): Promise<Sample | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...env, BENCH_BUNDLE: pathToFileURL(bundle).href, ...(event !== undefined ? { BENCH_EVENT: JSON.stringify(event) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = /BENCH (.*)/.exec(out)?.[1];
      if (line) resolve(JSON.parse(line) as Sample);
      else resolve(`failed (exit ${code}): ${err.split('\n').find((l) => /Error/.test(l)) ?? err.slice(0, 200)}`);
    });
  });
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
};

const kib = (bytes: number): string => `${(bytes / KIB).toFixed(1)}`;
const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '-');
const spread = (values: number[]): string => (values.length ? `${ms(quantile(values, 0.25))}–${ms(quantile(values, 0.75))}` : '-');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.only) {
    await bundleHandler(args.only, args.outdir);
    return;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // stripe-wiring runs only at deploy (custom resource, lib/payments.ts) but ships like the rest.
  const names = [...new Set([...routes.map((r) => r.handler), ...jobs, 'stripe-wiring'])].filter((n) => existsSync(handlerEntry(n)));
  const bundles = new Map<string, Bundle>();
  for (const name of names) bundles.set(name, await bundleHandler(name, args.outdir));
  const baselineFile = path.join(args.outdir, 'baseline', 'index.mjs');
  mkdirSync(path.dirname(baselineFile), { recursive: true });
  writeFileSync(baselineFile, 'export const handler = async () => ({ statusCode: 200 });\n');

  // The local cloud the first calls go to, in this process; the children get its config.
  const { startLocalCloud } = await import('../local/cloud');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'uplock-bench-bundles-'));
  const cloud = await startLocalCloud({ dataDir, ports: { gateway: 0, dynamodb: 0, s3: 0, ses: 0, stripe: 0 }, sweepIntervalSeconds: 0 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    UPLOCK_CONFIG: JSON.stringify(cloud.config),
    STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: cloud.webhookSecret,
    AWS_REGION: cloud.config.region,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const ctx = { bucket: cloud.config.bucketName, webhookSecret: cloud.webhookSecret };
  const targets = [BASELINE, ...names];
  const samples = new Map<string, Sample[]>(targets.map((t) => [t, []]));
  const outcomes = new Map<string, Set<string>>(targets.map((t) => [t, new Set()]));
  const failures = new Map<string, string>();
  try {
    for (let round = 0; round < args.rounds; round++) {
      // Interleaved, each round in a rotated order, so drifts in machine load hit every target alike.
      const order = targets.map((_, i) => targets[(i + round) % targets.length] as string);
      for (const target of order) {
        if (failures.has(target)) continue;
        const file = target === BASELINE ? baselineFile : (bundles.get(target)?.file as string);
        const event = target === BASELINE ? {} : firstCallEvent(target, ctx);
        const result = await runChild(file, event, env);
        if (typeof result === 'string') failures.set(target, result);
        else {
          samples.get(target)?.push(result);
          outcomes.get(target)?.add(result.outcome);
        }
      }
      process.stderr.write(`round ${round + 1}/${args.rounds}\r`);
    }
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stderr.write('\n');

  const base = samples.get(BASELINE) ?? [];
  const baseLoaded = quantile(base.map((s) => s.loaded), 0.5);
  const baseDone = quantile(base.map((s) => s.done ?? NaN), 0.5);
  const rows: string[][] = [['handler', 'raw KiB', 'gzip KiB', 'loaded ms (p25–p75)', 'Δ base', 'first call ms (p25–p75)', 'Δ base', 'answer', 'budgets']];
  rows.push([BASELINE, '0', '0', `${ms(baseLoaded)} (${spread(base.map((s) => s.loaded))})`, '', `${ms(baseDone)} (${spread(base.map((s) => s.done ?? NaN))})`, '', '', '']);
  for (const name of names) {
    const bundle = bundles.get(name) as Bundle;
    const raw = statSync(bundle.file).size;
    const gzip = gzipSync(readFileSync(bundle.file)).length;
    const mine = samples.get(name) ?? [];
    const loaded = mine.map((s) => s.loaded);
    const done = mine.flatMap((s) => (s.done === null ? [] : [s.done]));
    const dLoaded = quantile(loaded, 0.5) - baseLoaded;
    const dDone = done.length ? quantile(done, 0.5) - baseDone : NaN;
    const misses = [
      raw > BUDGET.rawBytes ? `raw > ${BUDGET.rawBytes / KIB} KiB` : '',
      dLoaded > BUDGET.loadedOverBaselineMs ? `loaded > +${BUDGET.loadedOverBaselineMs}` : '',
      dDone > BUDGET.firstCallOverBaselineMs ? `first call > +${BUDGET.firstCallOverBaselineMs}` : '',
    ].filter(Boolean);
    const failure = failures.get(name);
    rows.push([
      name,
      kib(raw),
      kib(gzip),
      failure ? failure : `${ms(quantile(loaded, 0.5))} (${spread(loaded)})`,
      failure ? '' : `+${ms(dLoaded)}`,
      done.length ? `${ms(quantile(done, 0.5))} (${spread(done)})` : '- (no request)',
      done.length ? `+${ms(dDone)}` : '',
      [...(outcomes.get(name) ?? [])].join('/'),
      failure ? 'FAILED' : misses.length ? `OVER: ${misses.join(', ')}` : 'ok',
    ]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  console.log(`${args.rounds} rounds, one fresh node ${process.version} process per sample, interleaved with the baseline\n`);
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
  console.log('\nlargest contributors (minified bytes in the bundle):');
  for (const name of names) console.log(`  ${name.padEnd(22)} ${(bundles.get(name)?.packages ?? []).slice(0, 4).map(([p, b]) => `${p} ${kib(b)} KiB`).join(', ')}`);
  console.log(
    `\nbudgets (docs/architecture.md §8): raw ≤ ${BUDGET.rawBytes / KIB} KiB; module loaded ≤ baseline + ${BUDGET.loadedOverBaselineMs} ms; first call done ≤ baseline + ${BUDGET.firstCallOverBaselineMs} ms (medians)`,
  );
  console.log(`bundles in ${path.relative(repoRoot, args.outdir) || '.'}`);
}

await main();
