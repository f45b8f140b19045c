/**
 * `uplock smoke`: the post-deploy check, as a buyer's browser and Stripe see the site. In order,
 * stopping at the first failure: the config is served, the page carries the security headers, an
 * order is created (and marked as a smoke-test order, so stats and export leave it out), a sample
 * is uploaded, its preview gets ready, and the webhook endpoint refuses a forged signature with
 * 400. The order is erased at the end whatever happened.
 *
 * The site is reached through a small HTTP port, so this stays free of I/O and is unit-tested.
 */
import type { SmokeReport } from '../contract';
import type { OrderId } from './ids';

export interface SiteResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: string;
}

export interface SiteHttp {
  /** A request to the site, `path` relative to its root. */
  request(method: 'GET' | 'POST', path: string, opts?: { json?: unknown; headers?: Record<string, string>; body?: string }): Promise<SiteResponse>;
  /** The browser's multipart POST to the presigned upload URL; the status. */
  upload(url: string, fields: Record<string, string>, file: SmokeSample): Promise<number>;
}

export interface SmokeSample {
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

export interface SmokeDeps {
  readonly site: SiteHttp;
  /** Mark the order as a smoke-test order in the table (left out of stats and export). */
  readonly markSmoke: (orderId: OrderId) => Promise<void>;
  /** Erase the order and its files. */
  readonly erase: (orderId: OrderId) => Promise<void>;
  readonly sample: SmokeSample;
  /** How long the preview may take. Default 120 s. */
  readonly previewTimeoutMs?: number;
  readonly pollMs?: number;
  /** The address the smoke-test order is placed with; it is never mailed (the order is not paid). */
  readonly email?: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Each check as it finishes (progress for the operator). */
  readonly onCheck?: (check: SmokeReport['checks'][number]) => void;
}

export const SMOKE_EMAIL = 'uplock-smoke-test@example.com';

class CheckFailed extends Error {}

const parseJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** The API's own error message when it answered with one. */
const apiError = (res: SiteResponse): string => {
  const error = parseJson(res.body)?.error as { code?: unknown; message?: unknown } | undefined;
  return error ? `${String(error.code)}: ${String(error.message)}` : res.body.slice(0, 120).replace(/\s+/g, ' ');
};

/** What the page must carry: docs/architecture.md §7 (CSP without inline script, nosniff, frame-ancestors none; HSTS on https). */
export function missingSecurityHeaders(res: SiteResponse, https: boolean): string[] {
  const missing: string[] = [];
  const csp = res.header('content-security-policy') ?? '';
  if (!csp) missing.push('content-security-policy');
  else {
    const script = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1] ?? '';
    if (/'unsafe-inline'|'unsafe-eval'/.test(script)) missing.push('content-security-policy without inline script');
    if (!/frame-ancestors 'none'/.test(csp)) missing.push("content-security-policy frame-ancestors 'none'");
  }
  if ((res.header('x-content-type-options') ?? '').toLowerCase() !== 'nosniff') missing.push('x-content-type-options: nosniff');
  if (!res.header('referrer-policy')) missing.push('referrer-policy');
  if (https && !/max-age=\d+/.test(res.header('strict-transport-security') ?? '')) missing.push('strict-transport-security');
  return missing;
}

export async function runSmoke(siteUrl: string, deps: SmokeDeps): Promise<SmokeReport> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const report: SmokeReport = { url: siteUrl, ok: false, checks: [] };
  const { site } = deps;
  let orderId: OrderId | undefined;

  const check = async (name: string, body: () => Promise<string | undefined>): Promise<void> => {
    try {
      const detail = await body();
      const done = { name, ok: true, ...(detail ? { detail } : {}) };
      report.checks.push(done);
      deps.onCheck?.(done);
    } catch (error) {
      const detail = error instanceof CheckFailed ? error.message : `${(error as Error).name ?? 'Error'}: ${(error as Error).message}`;
      const failed = { name, ok: false, detail };
      report.checks.push(failed);
      deps.onCheck?.(failed);
      throw new CheckFailed(detail);
    }
  };

  try {
    let acceptedExtensions: string[] = [];
    await check('config', async () => {
      const res = await site.request('GET', '/api/config');
      const config = res.status === 200 ? parseJson(res.body) : undefined;
      if (!config) throw new CheckFailed(`GET /api/config answered ${res.status}, not the config`);
      if (typeof (config.product as { name?: unknown } | undefined)?.name !== 'string' || !Array.isArray(config.acceptedExtensions)) {
        throw new CheckFailed('GET /api/config answered JSON without product and acceptedExtensions');
      }
      acceptedExtensions = (config.acceptedExtensions as unknown[]).map(String);
      return `${String((config.product as { name: string }).name)}`;
    });

    await check('security headers', async () => {
      const res = await site.request('GET', '/');
      if (res.status !== 200) throw new CheckFailed(`GET / answered ${res.status}`);
      const missing = missingSecurityHeaders(res, siteUrl.startsWith('https:'));
      if (missing.length) throw new CheckFailed(`the page lacks ${missing.join(', ')}`);
      return undefined;
    });

    let upload: { url: string; fields: Record<string, string> } | undefined;
    await check('order', async () => {
      const extension = /\.[^.]+$/.exec(deps.sample.fileName)?.[0]?.toLowerCase() ?? '';
      if (!acceptedExtensions.includes(extension)) {
        throw new CheckFailed(`the sample ${deps.sample.fileName} is not a file this shop accepts (${acceptedExtensions.join(' ')}): pass --file`);
      }
      const res = await site.request('POST', '/api/orders', { json: { email: deps.email ?? SMOKE_EMAIL, fileName: deps.sample.fileName, size: deps.sample.bytes.byteLength } });
      const created = res.status === 201 ? parseJson(res.body) : undefined;
      if (!created || typeof created.orderId !== 'string') throw new CheckFailed(`POST /api/orders answered ${res.status} (${apiError(res)})`);
      orderId = created.orderId as OrderId;
      await deps.markSmoke(orderId);
      upload = created.upload as { url: string; fields: Record<string, string> };
      return orderId;
    });

    await check('upload', async () => {
      if (!upload) throw new CheckFailed('no upload form');
      const status = await site.upload(upload.url, upload.fields, deps.sample);
      if (status < 200 || status >= 300) throw new CheckFailed(`the presigned upload answered ${status}`);
      return `${deps.sample.fileName}, ${deps.sample.bytes.byteLength} bytes`;
    });

    await check('preview', async () => {
      const started = now();
      const deadline = started + (deps.previewTimeoutMs ?? 120_000);
      for (;;) {
        const res = await site.request('GET', `/api/orders/${orderId}`);
        const view = res.status === 200 ? parseJson(res.body) : undefined;
        if (!view) throw new CheckFailed(`GET /api/orders/${orderId} answered ${res.status} (${apiError(res)})`);
        if (view.job === 'failed') {
          const error = view.error as { code?: unknown; message?: unknown } | undefined;
          throw new CheckFailed(`the job failed: ${String(error?.code ?? 'failed')}: ${String(error?.message ?? '')}`);
        }
        if (view.job === 'done' && view.preview !== undefined) return `ready in ${((now() - started) / 1000).toFixed(1)} s`;
        if (now() > deadline) throw new CheckFailed(`no preview after ${Math.round((deps.previewTimeoutMs ?? 120_000) / 1000)} s (job: ${String(view.job)})`);
        await sleep(deps.pollMs ?? 500);
      }
    });

    await check('webhook', async () => {
      const body = JSON.stringify({ id: 'evt_uplock_smoke', object: 'event', type: 'checkout.session.completed' });
      const forged = `t=${Math.floor(now() / 1000)},v1=${'0'.repeat(64)}`;
      const res = await site.request('POST', '/api/stripe/webhook', { body, headers: { 'content-type': 'application/json', 'stripe-signature': forged } });
      if (res.status !== 400) throw new CheckFailed(`POST /api/stripe/webhook with a forged signature answered ${res.status}, not 400`);
      return undefined;
    });
    report.ok = true;
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
  } finally {
    if (orderId) {
      const id = orderId;
      await check('cleanup', async () => {
        await deps.erase(id);
        return `order ${id} erased`;
      }).catch(() => {
        report.ok = false;
      });
    }
  }
  return report;
}
