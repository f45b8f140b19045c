/**
 * The one route table. CDK builds the API Gateway routes from it (lib/api.ts) and the local
 * gateway serves from it (local/gateway.ts). It is plain data so that importing it loads no
 * handler code: each `handler` names `lambdas/handlers/<handler>.ts`, which exports `handler`.
 */
export type HttpMethod = 'GET' | 'POST';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway HTTP API path syntax: `{name}` is a path parameter. */
  readonly path: string;
  /** File name (without extension) under lambdas/handlers/. */
  readonly handler: HandlerName;
}

export const routes = [
  { method: 'GET', path: '/api/config', handler: 'get-config' },
  { method: 'POST', path: '/api/orders', handler: 'create-order' },
  { method: 'POST', path: '/api/orders/lookup', handler: 'lookup-orders' },
  { method: 'GET', path: '/api/orders/{orderId}', handler: 'get-order' },
  { method: 'POST', path: '/api/orders/{orderId}/erase-request', handler: 'request-erase' },
  { method: 'POST', path: '/api/erase/{token}', handler: 'erase-order' },
  { method: 'GET', path: '/api/checkout-sessions/{sessionId}', handler: 'get-checkout-session' },
  { method: 'POST', path: '/api/stripe/webhook', handler: 'stripe-webhook' },
  { method: 'POST', path: '/api/unsubscribe/{token}', handler: 'unsubscribe' },
  { method: 'GET', path: '/d/{token}', handler: 'download' },
  { method: 'GET', path: '/d/{token}/{file}', handler: 'download' },
] as const satisfies readonly { method: HttpMethod; path: string; handler: string }[];

export type HandlerName = (typeof routes)[number]['handler'];

/**
 * Handlers that are not behind HTTP: the process job (S3 "Object Created" via EventBridge),
 * the reconciliation sweeper (schedule) and the Stripe EventBridge event-destination target.
 */
export const jobs = ['process-upload', 'sweeper', 'stripe-events'] as const;
export type JobName = (typeof jobs)[number];
