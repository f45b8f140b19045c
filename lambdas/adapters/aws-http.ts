/**
 * A small signed-fetch client for the few AWS APIs the handlers call (DynamoDB, S3, SES v2,
 * Secrets Manager). SigV4 comes from `aws4fetch`; this module adds what the SDK gave us and we
 * still need: credentials (Lambda env, Fargate task endpoint, the local stand-ins' throwaway
 * keys), a per-attempt timeout, retries with jittered backoff, and errors with the AWS code.
 * The full SDK weighed 300–600 KB per handler bundle (ARCHITECTURE.md §8); this weighs a few.
 */
import { AwsV4Signer } from 'aws4fetch';
import type { AwsCredentialSource } from '../config';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;

/** Local stand-ins ignore credentials, but s3rver checks the key id (ARCHITECTURE.md §6). */
export const LOCAL_CREDENTIALS: AwsCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Refresh container credentials this long before they expire. */
const CREDENTIALS_REFRESH_MS = 5 * 60 * 1000;

/**
 * Lambda puts the role's keys in the environment; a Fargate task fetches them from the container
 * credentials endpoint (cached until shortly before they expire).
 */
export function credentialsFrom(source: AwsCredentialSource, fetchImpl: typeof fetch = fetch): CredentialsProvider {
  const { accessKeyId, secretAccessKey, sessionToken, containerCredentialsUrl, containerAuthorizationToken } = source;
  if (accessKeyId && secretAccessKey) {
    const fixed: AwsCredentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    return () => Promise.resolve(fixed);
  }
  if (containerCredentialsUrl) {
    let cached: { credentials: AwsCredentials; refreshAt: number } | undefined;
    return async () => {
      if (cached && Date.now() < cached.refreshAt) return cached.credentials;
      const res = await fetchImpl(containerCredentialsUrl, {
        headers: containerAuthorizationToken ? { authorization: containerAuthorizationToken } : {},
        signal: AbortSignal.timeout(2_000),
      });
      if (!res.ok) throw new Error(`container credentials endpoint answered ${res.status}`);
      const body = (await res.json()) as { AccessKeyId?: string; SecretAccessKey?: string; Token?: string; Expiration?: string };
      if (!body.AccessKeyId || !body.SecretAccessKey) throw new Error('container credentials endpoint returned no keys');
      const expires = body.Expiration ? Date.parse(body.Expiration) : Date.now() + 15 * 60 * 1000;
      cached = {
        credentials: { accessKeyId: body.AccessKeyId, secretAccessKey: body.SecretAccessKey, ...(body.Token ? { sessionToken: body.Token } : {}) },
        refreshAt: expires - CREDENTIALS_REFRESH_MS,
      };
      return cached.credentials;
    };
  }
  return () => Promise.reject(new Error('no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_CONTAINER_CREDENTIALS_* must be set'));
}

/** An error answer from AWS: `code` is the AWS error code (`ConditionalCheckFailedException`, `NoSuchKey`…). */
export class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly service: string,
  ) {
    super(`${service} ${code} (${status}): ${message}`);
  }
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Throttling and server-side failures are worth another try; anything else is our request's fault. */
export const isRetryable = (error: AwsError): boolean => error.status === 429 || error.status >= 500 || THROTTLING_CODES.has(error.code);

/** The code and message of an AWS error body: JSON (`__type`), REST-JSON (`x-amzn-errortype`) or S3's XML. */
export function parseAwsError(status: number, headers: Headers, body: string): { code: string; message: string } {
  let code = headers.get('x-amzn-errortype')?.split(':')[0] ?? '';
  let message = '';
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      const type = json.__type ?? json.code ?? json.Code;
      if (!code && typeof type === 'string') code = type.slice(type.lastIndexOf('#') + 1);
      const msg = json.message ?? json.Message;
      if (typeof msg === 'string') message = msg;
    } catch {
      // Not JSON after all: fall through to the status.
    }
  } else if (text.startsWith('<')) {
    code ||= /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
    message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
  }
  if (!code) code = status === 404 ? 'NotFound' : status === 403 ? 'AccessDenied' : `Http${status}`;
  return { code, message: message || `HTTP ${status}` };
}

/** RFC 3986 encoding, as SigV4 canonicalises it (also what S3 expects in presigned URLs). */
export const encodeRfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface AwsServiceOptions {
  /** Signing name: `dynamodb`, `s3`, `ses`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
  readonly credentials: CredentialsProvider;
  /** Attempts per request, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** How long one attempt may wait for the response headers. @default 10000 */
  readonly timeoutMs?: number;
  /** First backoff ceiling; doubles per attempt (full jitter). @default 100 */
  readonly backoffBaseMs?: number;
  readonly fetch?: typeof fetch;
}

export interface AwsRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AwsHttpClient {
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly fetchImpl: typeof fetch;
  /** Signing keys per day, shared across requests (aws4fetch's cache). */
  private readonly keyCache = new Map<string, ArrayBuffer>();

  constructor(private readonly options: AwsServiceOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 100;
    this.fetchImpl = options.fetch ?? fetch;
  }

  private async signer(request: AwsRequest, signQuery: boolean): Promise<AwsV4Signer> {
    const credentials = await this.options.credentials();
    return new AwsV4Signer({
      method: request.method,
      url: request.url,
      headers: request.headers ?? {},
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...credentials,
      service: this.options.service,
      region: this.options.region,
      cache: this.keyCache,
      signQuery,
    });
  }

  /** A query-signed URL (S3 presigned GET); `url` carries every other parameter already. */
  async presignUrl(url: string, expiresInSeconds: number): Promise<string> {
    const withExpiry = new URL(url);
    withExpiry.searchParams.set('X-Amz-Expires', String(expiresInSeconds));
    const signed = await (await this.signer({ method: 'GET', url: withExpiry.toString() }, true)).sign();
    // URLSearchParams writes spaces as '+'; S3 wants the strict encoding it signed.
    const query = [...signed.url.searchParams].map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
    return `${signed.url.origin}${signed.url.pathname}?${query}`;
  }

  /**
   * Send a signed request, retrying throttling, 5xx and network failures with jittered backoff.
   * Resolves with the successful response (body unread); throws AwsError for an error answer.
   */
  async send(request: AwsRequest): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const response = await this.attempt(request);
        if (response.ok) return response;
        const { code, message } = parseAwsError(response.status, response.headers, await response.text());
        failure = new AwsError(code, response.status, message, this.options.service);
      } catch (error) {
        failure = error;
      }
      const retryable = failure instanceof AwsError ? isRetryable(failure) : true; // network error or timeout
      if (!retryable || attempt >= this.maxAttempts) throw failure;
      await sleep(Math.random() * this.backoffBaseMs * 2 ** (attempt - 1));
    }
  }

  private async attempt(request: AwsRequest): Promise<Response> {
    const signed = await (await this.signer(request, false)).sign();
    const abort = new AbortController();
    // The timeout covers the wait for the headers only: a streamed S3 body may take longer.
    const timer = setTimeout(() => abort.abort(new Error(`${this.options.service} did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      return await this.fetchImpl(signed.url, {
        method: signed.method,
        headers: signed.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: abort.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An AWS service's base URL: the local stand-in's endpoint, or the regional AWS endpoint. */
export const serviceUrl = (endpoint: string | undefined, host: string): string => (endpoint ?? `https://${host}`).replace(/\/+$/, '');
