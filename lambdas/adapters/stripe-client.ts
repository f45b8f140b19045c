/**
 * The one way uplock builds a Stripe client (handlers, the deploy-time wiring, the local cloud,
 * tests): the `stripe` package with its pinned API version, the SDK's own retries with one
 * idempotency key per request, and, locally, the stand-in in local/stripe through the SDK's
 * `host/port/protocol` options. Kept apart from stripe-payments.ts so that the local cloud can
 * build a client without loading the handlers' logger before it has set the log level.
 */
import Stripe from 'stripe';

/** The API version the `stripe` package pins (23.1.0: 2026-10-28.endive); sent with every request. */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;

export interface StripeClientOptions {
  /** The secret key, or how to fetch it on first use (Secrets Manager in AWS, cached there). */
  readonly apiKey: string | (() => Promise<string>);
  /** The local stand-in's base URL (`endpoints.stripe`); absent: api.stripe.com. */
  readonly endpoint?: string;
  /** Retries of a failed request (network, 409, 429, 5xx), each with the same idempotency key. @default 2 */
  readonly maxNetworkRetries?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * A Stripe client. The key may arrive later than the client: the SDK's `authenticator` hook reads
 * it per request, so a handler builds its client at module scope and a cold start that never
 * calls Stripe never reads the secret.
 */
export function stripeClient(options: StripeClientOptions): Stripe {
  const { apiKey } = options;
  const local = options.endpoint ? new URL(options.endpoint) : undefined;
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 10_000,
    telemetry: false,
    ...(local
      ? {
          host: local.hostname,
          port: local.port || (local.protocol === 'https:' ? 443 : 80),
          protocol: local.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  };
  if (typeof apiKey === 'string') return new Stripe(apiKey, config);
  return new Stripe('', {
    ...config,
    authenticator: async (request) => {
      request.headers.Authorization = `Bearer ${await apiKey()}`;
    },
  });
}
