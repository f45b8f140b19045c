/**
 * The HTTP contract of docs/architecture.md §3, as the browser sees it. Every response is checked
 * for the shape the page relies on: a half-deployed backend should produce a clear message,
 * not `undefined` on screen.
 */
import { JOB_STATES, PAYMENT_STATES, type CreatedOrder, type JobState, type Lang, type OrderView, type PaymentState, type PublicConfig } from '../../lambdas/contract';

export type { CreatedOrder, JobState, Lang, OrderView, PaymentState } from '../../lambdas/contract';
/** What the page reads from `GET /api/config`; `retentionDays` may be missing on an older backend. */
export type SiteConfig = Omit<PublicConfig, 'retentionDays'> & { retentionDays?: number };

/** An error the API answered deliberately (`{error:{code,message}}`), or a transport failure. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    /** snake_case from the API; `network` when no answer came, `bad_response` for a garbled one. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  let data: unknown = undefined;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const error = isObject(data) && isObject(data.error) ? data.error : undefined;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : '';
    throw new ApiError(response.status, code, message);
  }
  return { status: response.status, data };
}

function badResponse(): ApiError {
  return new ApiError(0, 'bad_response', '');
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

const jobStates: readonly JobState[] = JOB_STATES;
const paymentStates: readonly PaymentState[] = PAYMENT_STATES;

export async function getConfig(): Promise<SiteConfig> {
  const { data } = await request('GET', '/api/config');
  if (!isObject(data) || !isObject(data.product) || !isObject(data.price)) throw badResponse();
  const { product, price } = data;
  if (!isString(product.name) || !isFiniteNumber(price.amount) || !isString(price.currency)) throw badResponse();
  if (!isFiniteNumber(data.maxUploadBytes) || !Array.isArray(data.acceptedExtensions)) throw badResponse();
  return {
    product: { name: product.name, description: isString(product.description) ? product.description : '' },
    price: { amount: price.amount, currency: price.currency },
    maxUploadBytes: data.maxUploadBytes,
    acceptedExtensions: data.acceptedExtensions.filter(isString).map((e) => e.toLowerCase()),
    downloadLimit: isFiniteNumber(data.downloadLimit) ? data.downloadLimit : 0,
    linkTtlHours: isFiniteNumber(data.linkTtlHours) ? data.linkTtlHours : 0,
    ...(isFiniteNumber(data.retentionDays) ? { retentionDays: data.retentionDays } : {}),
  };
}

export async function createOrder(input: { email: string; fileName: string; size: number; contentType?: string; lang: Lang }): Promise<CreatedOrder> {
  const { data } = await request('POST', '/api/orders', input);
  if (!isObject(data) || !isString(data.orderId) || !isObject(data.upload)) throw badResponse();
  const { upload } = data;
  if (!isString(upload.url) || !isObject(upload.fields)) throw badResponse();
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(upload.fields)) {
    if (isString(value)) fields[key] = value;
  }
  return {
    orderId: data.orderId,
    upload: { url: upload.url, fields },
    uploadExpiresAt: isString(data.uploadExpiresAt) ? data.uploadExpiresAt : new Date(Date.now() + 15 * 60_000).toISOString(),
  };
}

export async function getOrder(orderId: string): Promise<OrderView> {
  const { data } = await request('GET', `/api/orders/${encodeURIComponent(orderId)}`);
  if (!isObject(data) || !isString(data.orderId)) throw badResponse();
  const job = jobStates.find((s) => s === data.job);
  const payment = paymentStates.find((s) => s === data.payment);
  if (!job || !payment) throw badResponse();
  const view: OrderView = { orderId: data.orderId, job, payment, delivered: data.delivered === true };
  if ('preview' in data && data.preview !== undefined && data.preview !== null) view.preview = data.preview;
  if (typeof data.progress === 'number' && data.progress >= 0 && data.progress <= 100) view.progress = data.progress;
  if (data.slow === true) view.slow = true;
  if (data.disputed === true) view.disputed = true;
  if (data.refundRefused === true) view.refundRefused = true;
  // Only ever follow an http(s) pay link: the page turns it into an <a href>.
  if (isString(data.payUrl) && /^https?:\/\//i.test(data.payUrl)) view.payUrl = data.payUrl;
  if (isObject(data.error)) {
    view.error = {
      code: isString(data.error.code) ? data.error.code : 'failed',
      message: isString(data.error.message) ? data.error.message : '',
    };
  }
  return view;
}

export async function orderForCheckoutSession(sessionId: string): Promise<string> {
  const { data } = await request('GET', `/api/checkout-sessions/${encodeURIComponent(sessionId)}`);
  if (!isObject(data) || !isString(data.orderId)) throw badResponse();
  return data.orderId;
}

/** 202 whatever the address (no account enumeration); 400 malformed, 429 too many. */
export async function requestLookup(email: string, lang: Lang): Promise<void> {
  await request('POST', '/api/orders/lookup', { email, lang });
}

/** A broadcast's unsubscribe link: 200 (also when repeated), 404 for a token we did not sign. */
export async function unsubscribe(token: string): Promise<void> {
  await request('POST', `/api/unsubscribe/${encodeURIComponent(token)}`);
}

/** "Delete my data": 202 whatever the order (the confirmation goes to the order's address); 429 too many. */
export async function requestErase(orderId: string, lang: Lang): Promise<void> {
  await request('POST', `/api/orders/${encodeURIComponent(orderId)}/erase-request`, { lang });
}

/** The confirmation page's button: 200 erased (also when pressed again), 404 unknown link, 410 expired. */
export async function confirmErase(token: string): Promise<void> {
  await request('POST', `/api/erase/${encodeURIComponent(token)}`, {});
}
