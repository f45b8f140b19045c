/**
 * Handler bundle sizes and cold-start module init, against the budgets in ARCHITECTURE.md §8.
 *
 *   npm run bench:bundles                    # every handler: size (raw, gzip) and init time
 *   tsx bench/bundles.ts --only process-task --outdir /out   # just build (the Dockerfile does this)
 *
 * Bundles are built with the esbuild options the CDK construct uses (lib/bundling.ts), so the
 * figures are those of what ships. Init is the time to import the bundle in a fresh `node`
 * process with a valid dummy UPLOCK_CONFIG and dummy AWS credentials (no network is touched at
 * import), median of 5. Prints figures; never fails on a budget.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { jobs, routes } from '../lambdas/routes';
import { esbuildOptions, handlerEntry, repoRoot } from '../lib/bundling';
import { baseRuntimeConfig, parseDeployConfig } from '../lib/config';

const KIB = 1024;
const BUDGET_BYTES: Record<string, number> = {
  'stripe-webhook': 300 * KIB,
  // Runs once per deploy (custom resource), never on a customer's request: its cold start is
  // not in any latency budget, only kept from growing unnoticed. Full Stripe SDK + Secrets Manager.
  'stripe-wiring': 600 * KIB,
};
const DEFAULT_BUDGET_BYTES = 150 * KIB;
const INIT_BUDGET_MS = 50;
const INIT_RUNS = 5;

interface Args {
  only?: string;
  outdir: string;
  init: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { outdir: path.join(repoRoot, '.bench', 'bundles'), init: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--only' && value) (args.only = value), (args.init = false), i++;
    else if (flag === '--outdir' && value) (args.outdir = path.resolve(value)), i++;
    else if (flag === '--no-init') args.init = false;
    else throw new Error(`unknown argument ${flag} (use --only <handler>, --outdir <dir>, --no-init)`);
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

/** A valid runtime config built from cdk.json's defaults, as the stack builds it. */
function dummyRuntimeConfig(): string {
  const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: { uplock: unknown } };
  const config = baseRuntimeConfig(parseDeployConfig(cdkJson.context.uplock), {
    region: 'us-east-1',
    tableName: 'bench-table',
    bucketName: 'bench-bucket',
    siteUrl: 'https://bench.example.com',
  });
  config.stripe.secretKeySecretId = 'bench/stripe-secret-key';
  config.stripe.webhookSecretSecretId = 'bench/stripe-webhook-secret';
  return JSON.stringify(config);
}

/** Import time of the bundle in a fresh process, in ms; or the reason it failed. */
function measureInit(bundle: string, env: NodeJS.ProcessEnv): number | string {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(bundle).href)});process.stdout.write('INIT '+(performance.now()-t));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 15_000 });
  const match = /INIT ([\d.]+)/.exec(out.stdout ?? '');
  if (match?.[1]) return Number(match[1]);
  const reason = (out.stderr || out.error?.message || `exit ${out.status}`).trim().split('\n').find((l) => /Error|error/.test(l));
  return `failed: ${reason ?? 'no output'}`;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const kib = (bytes: number): string => `${(bytes / KIB).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // stripe-wiring runs only at deploy (custom resource, lib/payments.ts) but ships like the rest.
  const names = args.only ? [args.only] : [...new Set([...routes.map((r) => r.handler), ...jobs, 'stripe-wiring'])];
  const largest: [string, [string, number][]][] = [];
  // Built only when measuring: the Docker build (--only) needs no config.
  const env: NodeJS.ProcessEnv = args.init
    ? {
        PATH: process.env.PATH,
        UPLOCK_CONFIG: dummyRuntimeConfig(),
        AWS_REGION: 'us-east-1',
        // Dummy credentials: clients are built at import, nothing may call AWS.
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'bench-only-not-a-real-secret',
        POWERTOOLS_DEV: 'false',
      }
    : {};
  const rows: string[][] = [['handler', 'raw', 'gzip', 'budget', 'size', `init (median of ${INIT_RUNS})`, 'init']];
  for (const name of names) {
    if (!existsSync(handlerEntry(name))) {
      rows.push([name, 'missing: no lambdas/handlers/' + name + '.ts', '', '', '', '', '']);
      continue;
    }
    let built: Bundle;
    try {
      built = await bundleHandler(name, args.outdir);
    } catch (error) {
      rows.push([name, `build failed: ${(error as Error).message.split('\n')[0]}`, '', '', '', '', '']);
      process.exitCode = 1;
      continue;
    }
    const bundle = built.file;
    largest.push([name, built.packages.slice(0, 4)]);
    const raw = statSync(bundle).size;
    const gzip = gzipSync(readFileSync(bundle)).length;
    const budget = BUDGET_BYTES[name] ?? DEFAULT_BUDGET_BYTES;
    let init = '-';
    let initVerdict = '';
    if (args.init) {
      const samples: number[] = [];
      let failure: string | undefined;
      for (let i = 0; i < INIT_RUNS && !failure; i++) {
        const result = measureInit(bundle, env);
        if (typeof result === 'number') samples.push(result);
        else failure = result;
      }
      if (failure) init = failure;
      else {
        const ms = median(samples);
        init = `${ms.toFixed(1)} ms`;
        initVerdict = ms <= INIT_BUDGET_MS ? 'ok' : `OVER ${INIT_BUDGET_MS} ms`;
      }
    }
    rows.push([name, kib(raw), kib(gzip), kib(budget), raw <= budget ? 'ok' : 'OVER', init, initVerdict]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
  console.log('\nlargest contributors (minified bytes in the bundle):');
  for (const [name, packages] of largest) console.log(`  ${name.padEnd(22)} ${packages.map(([p, b]) => `${p} ${kib(b)}`).join(', ')}`);
  console.log(`\nbundles in ${path.relative(repoRoot, args.outdir) || '.'}; budgets: ${kib(300 * KIB)} webhook, ${kib(DEFAULT_BUDGET_BYTES)} others, init ${INIT_BUDGET_MS} ms (ARCHITECTURE.md §8)`);
}

await main();
