/**
 * A small client for the four Stripe API calls the request path makes (retrieve, list and create
 * Checkout Sessions; create a refund). Stripe's wire format is simple: form-encoded bodies in
 * bracket notation, `Authorization: Bearer`, JSON answers. The SDK (240 KB minified) stays only
 * where signatures are verified (stripe-signatures.ts) and in the deploy-time wiring.
 */

/** The API version the Stripe SDK we pin (stripe@23.1.0) sends, so responses keep their shape. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type FormParam = string | number | boolean | null | undefined | readonly FormParam[] | { readonly [key: string]: FormParam };

/**
 * `application/x-www-form-urlencoded` in Stripe's bracket notation, as the SDK writes it:
 * `metadata[k]=v`, `line_items[0][price]=…`, `created[gte]=…`. Undefined members are left out;
 * null is sent empty (Stripe's "unset").
 */
export function encodeForm(params: Record<string, FormParam>): string {
  const pairs: string[] = [];
  const add = (key: string, value: FormParam): void => {
    if (value === undefined) return;
    if (value === null) pairs.push(`${encodeKey(key)}=`);
    else if (Array.isArray(value)) value.forEach((item, i) => add(`${key}[${i}]`, item));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else pairs.push(`${encodeKey(key)}=${encodeURIComponent(String(value))}`);
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return pairs.join('&');
}

/** Brackets stay readable, as the SDK sends them; everything else is percent-encoded. */
const encodeKey = (key: string): string => encodeURIComponent(key).replace(/%5B/g, '[').replace(/%5D/g, ']');

/** An error answer from Stripe, with its status and Stripe's `type` / `code`. */
export class StripeApiError extends Error {
  override name = 'StripeApiError';
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface StripeApiOptions {
  /** The secret key, resolved lazily (Secrets Manager in AWS). */
  readonly apiKey: () => Promise<string>;
  /** `https://api.stripe.com`, or the local stand-in's URL. */
  readonly baseUrl?: string;
  /** Attempts per request, the first included (the SDK's maxNetworkRetries 2). @default 3 */
  readonly maxAttempts?: number;
  /** @default 10000 (the timeout we gave the SDK) */
  readonly timeoutMs?: number;
  /** First retry delay; doubles per attempt, with jitter. @default 500 (the SDK's) */
  readonly backoffBaseMs?: number;
  readonly fetch?: typeof fetch;
}

export interface StripeList<T> {
  readonly data: T[];
  readonly has_more: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StripeApi {
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: StripeApiOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://api.stripe.com').replace(/\/+$/, '');
    this.maxAttempts = options.maxAttempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * One API call. POSTs that change something must carry an idempotency key: every retry sends
   * the same key, so Stripe applies the request at most once. Retries network failures,
   * timeouts, 409 (lock contention), 429 and 5xx, unless Stripe answers `Stripe-Should-Retry: false`.
   */
  async request<T>(method: 'GET' | 'POST', path: string, params: Record<string, FormParam> = {}, opts: { idempotencyKey?: string } = {}): Promise<T> {
    const form = encodeForm(params);
    const url = `${this.baseUrl}${path}${method === 'GET' && form ? `?${form}` : ''}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.options.apiKey()}`,
      'stripe-version': STRIPE_API_VERSION,
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      let retryable = true;
      try {
        const response = await this.fetchImpl(url, {
          method,
          headers,
          ...(method === 'POST' ? { body: form } : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        if (response.ok) return JSON.parse(text) as T;
        failure = toError(response.status, text);
        const hint = response.headers.get('stripe-should-retry');
        retryable = hint !== null ? hint === 'true' : response.status === 409 || response.status === 429 || response.status >= 500;
      } catch (error) {
        failure = error; // network failure or timeout
      }
      if (!retryable || attempt >= this.maxAttempts) throw failure;
      const ceiling = this.backoffBaseMs * 2 ** (attempt - 1);
      await sleep(ceiling * (0.5 + Math.random() / 2));
    }
  }

  /** Every object of a list endpoint, page by page (`starting_after` the last id). */
  async *list<T extends { id: string }>(path: string, params: Record<string, FormParam>): AsyncIterable<T> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.request<StripeList<T>>('GET', path, { ...params, starting_after: startingAfter });
      for (const item of page.data) yield item;
      const last = page.data.at(-1);
      if (!page.has_more || !last) return;
      startingAfter = last.id;
    }
  }
}

function toError(status: number, text: string): StripeApiError {
  let error: { type?: string; code?: string; message?: string } = {};
  try {
    error = ((JSON.parse(text) as { error?: typeof error }).error ?? {});
  } catch {
    // Not Stripe's JSON (a proxy's page): keep the status.
  }
  return new StripeApiError(status, error.type ?? 'api_error', error.code, error.message ?? `Stripe answered HTTP ${status}`);
}
