/**
 * A local stand-in for the parts of the Stripe API uplock uses, plus a hosted payment page.
 * The real `stripe` SDK talks to it with `new Stripe(key, { host: '127.0.0.1', port, protocol: 'http' })`.
 * See docs/local-stripe.md for what it implements and how it differs from Stripe.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { StripeEngine, type RequestInfo } from './engine.js';
import { StripeApiError } from './errors.js';
import { FormBodyError, parseFormBody, type FormObject } from './form-body.js';
import { newId } from './ids.js';
import { API_VERSION } from './objects.js';
import { StripeStore } from './store.js';
import { readBody, sendJson } from './http-util.js';
import { handleHostedPage } from './hosted-routes.js';
import { handleTestControl } from './test-control.js';
import { FaultPlan } from './faults.js';
import { catalogRoutes } from './api-catalog.js';
import { paymentLinkRoutes } from './api-payment-links.js';
import { checkoutRoutes } from './api-checkout.js';
import { endpointRoutes } from './api-webhook-endpoints.js';
import { eventRoutes } from './api-events.js';
import { paymentRoutes } from './api-payments.js';
import type { ApiRoute } from './api-types.js';

export interface StripeStandInOptions {
  /** 0 = a free port. @default 12111 (the port stripe-mock uses) */
  port?: number;
  /** Always loopback: the stand-in has no real authentication. @default '127.0.0.1' */
  host?: string;
  /** JSON file the state is kept in (e.g. `.uplock/stripe.json`); absent = memory only. */
  dataFile?: string;
  /** When set, every webhook endpoint signs with this secret (STRIPE_WEBHOOK_SECRET). */
  webhookSecret?: string;
  log?: (line: string) => void;
  /** First webhook retry delay; later ones double. @default 1000 */
  webhookRetryBaseMs?: number;
  /** Delivery attempts per endpoint and event, the first included. @default 5 */
  webhookMaxAttempts?: number;
  /** How long one delivery may take, and how long a payment waits for its first deliveries. @default 5000 */
  webhookTimeoutMs?: number;
  /** Delay before a test-IBAN (delayed) payment settles by itself. @default 10000 */
  settleAfterMs?: number;
  /** Delay between paying with the dispute test card and `charge.dispute.created`. @default 2000 */
  disputeAfterMs?: number;
  /** How often open Checkout Sessions past `expires_at` are expired. @default 5000 */
  expirySweepMs?: number;
  /**
   * Webhook deliveries owed from before a restart (kept in `dataFile`) are resumed at start, unless
   * this is set: then only when `resumeWebhookRetries()` is called (the local cloud does once its
   * endpoint is wired to the gateway's new address). @default false
   */
  deferWebhookRetries?: boolean;
  /** Called after every API request (tests watch retries and idempotency keys with it). */
  onApiRequest?: (request: ApiRequestRecord) => void;
}

export interface ApiRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly idempotencyKey?: string;
  /** The `Stripe-Version` header the client sent. */
  readonly stripeVersion?: string;
  /** Answered from the idempotency store, not run again. */
  readonly replayed: boolean;
}

export interface StripeStandIn {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Resume the webhook deliveries owed from before a restart (see `deferWebhookRetries`). */
  resumeWebhookRetries(): void;
  close(): Promise<void>;
}

const DEFAULT_PORT = 12111;
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];
const MAX_API_BODY = 1024 * 1024;

export async function startStripeStandIn(opts: StripeStandInOptions = {}): Promise<StripeStandIn> {
  const log = opts.log ?? (() => undefined);
  const store = new StripeStore(opts.dataFile);
  const engine = new StripeEngine(store, {
    delivery: {
      retryBaseMs: opts.webhookRetryBaseMs ?? 1000,
      maxAttempts: opts.webhookMaxAttempts ?? 5,
      attemptTimeoutMs: opts.webhookTimeoutMs ?? 5000,
      webhookSecret: opts.webhookSecret,
    },
    settleAfterMs: opts.settleAfterMs ?? 10_000,
    disputeAfterMs: opts.disputeAfterMs ?? 2000,
    expirySweepMs: opts.expirySweepMs ?? 5000,
    log,
  });
  const routes: ApiRoute[] = [
    ...catalogRoutes,
    ...paymentLinkRoutes,
    ...checkoutRoutes,
    ...endpointRoutes(opts.webhookSecret),
    ...eventRoutes,
    ...paymentRoutes,
  ];
  const host = opts.host ?? '127.0.0.1';
  // Any test key is accepted and /_test/ needs none: never listen beyond this machine.
  if (!LOOPBACK_HOSTS.includes(host)) throw new Error(`local Stripe stand-in: host must be loopback (${LOOPBACK_HOSTS.join(', ')}), got ${host}`);
  let baseUrl = '';
  const inProgress = new Set<string>();
  const faults = new FaultPlan();
  const record = (r: ApiRequestRecord) => {
    log(`${r.method} ${r.path} ${r.status}${r.replayed ? ' (idempotent replay)' : ''}`);
    opts.onApiRequest?.(r);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof StripeApiError && !res.headersSent) {
        sendJson(res, err.status, JSON.stringify(err.toBody()));
        return;
      }
      log(`stripe stand-in: unexpected error: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendJson(res, 500, JSON.stringify(new StripeApiError(500, 'api_error', 'An unexpected error occurred.').toBody()));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    if (url.pathname.startsWith('/v1/')) return api(req, res, url);
    if (await handleHostedPage(engine, req, res, url)) return;
    if (await handleTestControl(engine, faults, req, res, url)) return;
    sendJson(res, 404, JSON.stringify(unrecognized(req, url).toBody()));
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = newId.request();
    const headers = { 'request-id': requestId, 'stripe-version': API_VERSION };
    const fail = (err: StripeApiError) => sendJson(res, err.status, JSON.stringify(err.toBody()), headers);
    const method = req.method ?? 'GET';
    const idempotencyKey = method === 'POST' ? headerValue(req, 'idempotency-key') : undefined;
    const seen = {
      method,
      path: url.pathname,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(headerValue(req, 'stripe-version') ? { stripeVersion: headerValue(req, 'stripe-version') } : {}),
    };
    try {
      const apiKey = authenticate(req);
      // One version end to end: a client pinned to another version would misread every answer.
      const asked = headerValue(req, 'stripe-version');
      if (asked !== undefined && asked !== API_VERSION) {
        throw new StripeApiError(
          400,
          'invalid_request_error',
          `The local Stripe stand-in speaks API version ${API_VERSION} only (the one the stripe package pins), not ${asked}.`,
          'api_version_unsupported',
        );
      }
      const body = await readBody(req, MAX_API_BODY);
      const planned = faults.take(method, url.pathname);
      if (planned) throw planned;
      const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
      if (!route) throw unrecognized(req, url);
      const params = decodeParams(method === 'POST' ? body : url.search.slice(1));
      const request: RequestInfo = { id: requestId, idempotency_key: idempotencyKey ?? null };
      const pathParams = (route.pattern.exec(url.pathname) ?? []).slice(1).map((s) => decodeURIComponent(s));
      const run = async (): Promise<{ status: number; body: string }> => {
        try {
          const result = await route.handle({ engine, params, pathParams, path: url.pathname, request, baseUrl });
          return { status: 200, body: JSON.stringify(result, null, 2) };
        } catch (err) {
          if (err instanceof StripeApiError) return { status: err.status, body: JSON.stringify(err.toBody()) };
          throw err;
        }
      };
      let outcome: { status: number; body: string };
      let replayed = false;
      if (idempotencyKey) {
        // Keys are scoped to the API key, as on Stripe; the fingerprint catches reuse with other params.
        const slot = createHash('sha256').update(`${apiKey}\n${idempotencyKey}`).digest('hex');
        const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${body}`).digest('hex');
        const saved = store.idempotentResponse(slot);
        if (saved) {
          if (saved.fingerprint !== fingerprint) {
            throw new StripeApiError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            );
          }
          outcome = saved;
          replayed = true;
        } else {
          if (inProgress.has(slot)) {
            throw new StripeApiError(409, 'idempotency_error', 'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through).');
          }
          inProgress.add(slot);
          try {
            outcome = await run();
          } finally {
            inProgress.delete(slot);
          }
          if (outcome.status < 500) store.rememberResponse(slot, idempotencyKey, { ...outcome, fingerprint, createdAt: Date.now() });
        }
      } else {
        outcome = await run();
      }
      record({ ...seen, status: outcome.status, replayed });
      const extra: Record<string, string> = replayed ? { 'idempotent-replayed': 'true' } : {};
      if (idempotencyKey) extra['idempotency-key'] = idempotencyKey;
      sendJson(res, outcome.status, outcome.body, { ...headers, ...extra });
    } catch (err) {
      if (err instanceof StripeApiError) {
        record({ ...seen, status: err.status, replayed: false });
        return fail(err);
      }
      throw err;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Hosted-page URLs saved by an earlier run may name another port.
  rebaseHostedUrls(store, baseUrl);
  log(`local Stripe listening on ${baseUrl}`);
  let resumed = false;
  const resumeWebhookRetries = () => {
    if (resumed) return;
    resumed = true;
    engine.resumeDeliveries();
  };
  if (!opts.deferWebhookRetries) resumeWebhookRetries();

  return {
    url: baseUrl,
    port,
    resumeWebhookRetries,
    close: async () => {
      engine.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.flush();
    },
  };
}

function rebaseHostedUrls(store: StripeStore, baseUrl: string): void {
  for (const link of Object.values(store.data.paymentLinks)) link.url = `${baseUrl}/pay/${link.id}`;
  for (const session of Object.values(store.data.checkoutSessions)) {
    if (session.url !== null) session.url = `${baseUrl}/c/pay/${session.id}`;
  }
  store.flush();
}

function decodeParams(text: string): FormObject {
  try {
    return parseFormBody(text);
  } catch (err) {
    if (err instanceof FormBodyError) throw new StripeApiError(400, 'invalid_request_error', err.message);
    throw err;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unrecognized(req: IncomingMessage, url: URL): StripeApiError {
  return new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${req.method ?? 'GET'}: ${url.pathname}). Please see https://stripe.com/docs.`);
}

/**
 * Any test-mode secret or restricted key is accepted (there are no accounts); live keys and
 * anything else are refused with Stripe's 401. Bearer and Basic (`curl -u sk_test_…:`) both work.
 */
function authenticate(req: IncomingMessage): string {
  const header = headerValue(req, 'authorization') ?? '';
  let key = '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (bearer) key = (bearer[1] ?? '').trim();
  else if (basic) key = Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':')[0] ?? '';
  if (!key) {
    throw new StripeApiError(
      401,
      'invalid_request_error',
      'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').',
    );
  }
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    const shown = key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : '****';
    throw new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${shown}. The local Stripe stand-in accepts test-mode keys (sk_test_…) only.`, 'api_key_invalid');
  }
  return key;
}
