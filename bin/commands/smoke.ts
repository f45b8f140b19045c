/** `uplock smoke`: the post-deploy check (core/smoke.ts) against the site, cleaning up after itself. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT } from '../../lambdas/contract';
import type { SiteHttp, SmokeSample } from '../../lambdas/core/smoke';
import { CliError, positiveInt, runAction } from '../cli-kit';
import { connect } from '../target';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built-in data-profile job's own sample. */
const BUILT_IN_SAMPLE = path.join(REPO, 'docs', 'sample.csv');

/** Each request gives up after this long: a site that hangs fails the check, it does not hang the tool. */
const REQUEST_TIMEOUT_MS = 30_000;

function fetchSite(base: string): SiteHttp {
  const describe = (error: unknown, what: string): CliError => {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return new CliError('site_unreachable', `${what}: no answer (${cause})`);
  };
  return {
    async request(method, pathname, opts = {}) {
      const url = new URL(pathname, `${base}/`).toString();
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
          ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : opts.body !== undefined ? { body: opts.body } : {}),
          redirect: 'manual',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw describe(error, `${method} ${url}`);
      }
      const body = await res.text();
      return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, body };
    },
    async upload(url, fields, file) {
      const form = new FormData();
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      form.append('file', new Blob([new Uint8Array(file.bytes)]), file.fileName);
      try {
        const res = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await res.arrayBuffer();
        return res.status;
      } catch (error) {
        throw describe(error, 'the presigned upload');
      }
    },
  };
}

/** --file, else the operator's job's `sample` (docs/jobs.md), else the built-in job's sample. */
async function chooseSample(file: unknown, jobFolder: string | undefined): Promise<SmokeSample> {
  let chosen = typeof file === 'string' ? path.resolve(file) : undefined;
  if (!chosen && jobFolder && existsSync(path.join(jobFolder, 'uplock-job.json'))) {
    const { loadJobFolder } = await import('../../lambdas/processors/command/manifest');
    const { manifest, dir } = loadJobFolder(jobFolder);
    if (manifest.sample) chosen = path.join(dir, manifest.sample);
  }
  chosen ??= BUILT_IN_SAMPLE;
  try {
    return { fileName: path.basename(chosen), bytes: new Uint8Array(readFileSync(chosen)) };
  } catch (error) {
    throw new CliError('invalid_option', `Cannot read the sample ${chosen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
  }
}

export function register(program: Command): void {
  program
    .command('smoke')
    .description('check a site end to end: config, security headers, an order, an upload, its preview, the webhook; then erase the test order')
    .option('--url <site url>', 'the site to check (default: the target\'s site URL)')
    .option('--file <file>', 'the file to upload (default: the job\'s sample, or docs/sample.csv for the built-in job)')
    .option('--timeout <seconds>', 'how long the preview may take', '120')
    .addHelpText('after', `
Stops at the first failing check and prints it in one line (exit 1); exit 0 when all pass. The
test order is marked (stats and export leave it out) and erased at the end, so the target (local
cloud or --stack) must be the one that serves the URL.

Examples:
  npx uplock smoke
  npx uplock --stack Uplock smoke --url https://shop.example.com
  npx uplock smoke --url http://127.0.0.1:3000 --file examples/jobs/word-count/sample.txt --json`)
    .action(
      runAction(async (ctx) => {
        const timeout = positiveInt('--timeout', ctx.options.timeout) ?? 120;
        const target = await connect(ctx.options);
        const raw = typeof ctx.options.url === 'string' ? ctx.options.url : target.siteUrl;
        let url: string;
        try {
          const parsed = new URL(raw);
          if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http');
          url = parsed.origin + parsed.pathname.replace(/\/+$/, '');
        } catch {
          throw new CliError('invalid_option', `--url takes the site's address, like https://shop.example.com; got "${raw}"`, EXIT.usage);
        }
        const sample = await chooseSample(ctx.options.file, target.config.job.folder);
        const [{ runSmoke }, { orderStore }, { blobStore }, erase] = await Promise.all([
          import('../../lambdas/core/smoke'),
          import('../../lambdas/adapters/dynamo-order-store'),
          import('../../lambdas/adapters/s3-blob-store'),
          import('../../lambdas/core/erase'),
        ]);
        const store = orderStore();
        const blobs = blobStore();
        const report = await runSmoke(url, {
          site: fetchSite(url),
          sample,
          previewTimeoutMs: timeout * 1000,
          markSmoke: (orderId) => store.markSmoke(orderId),
          erase: async (orderId) => {
            const outcome = await erase.eraseOrder(orderId, { store, blobs });
            if (outcome.outcome !== 'erased' && outcome.outcome !== 'already_erased') throw new Error(`could not erase the test order ${orderId}: ${outcome.outcome}`);
          },
          onCheck: (c) => ctx.note(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
        });
        const failed = report.checks.find((c) => !c.ok);
        if (failed) throw new CliError('smoke_failed', `${url}: ${failed.name}: ${failed.detail ?? 'failed'}`);
        return { json: report, text: `ok: ${url} passed ${report.checks.map((c) => c.name).join(', ')}` };
      }),
    );
}
