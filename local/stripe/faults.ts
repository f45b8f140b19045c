/**
 * Failures real Stripe produces but a healthy stand-in never would (a 500 in the middle of a
 * refund, a card error, a rate limit), planned by a test through `POST /_test/faults` and served
 * once each by the next matching API request. They answer before the request reaches the engine
 * and are never remembered under an idempotency key, so a retry with the same key goes through,
 * as it does on Stripe after a transient failure.
 */
import { StripeApiError, type StripeErrorType } from './errors.js';

export interface PlannedFault {
  readonly method: string;
  /** Exact API path, e.g. `/v1/refunds`. */
  readonly path: string;
  readonly status: number;
  readonly type: StripeErrorType;
  readonly code?: string;
  readonly message: string;
  /** How many matching requests fail. */
  remaining: number;
}

export class FaultPlan {
  private readonly faults: PlannedFault[] = [];

  add(fault: PlannedFault): void {
    this.faults.push(fault);
  }

  /** The error for this request, if one is planned (and counts it down). */
  take(method: string, path: string): StripeApiError | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && f.method === method && f.path === path);
    if (!fault) return undefined;
    fault.remaining -= 1;
    return new StripeApiError(fault.status, fault.type, fault.message, fault.code);
  }

  clear(): void {
    this.faults.length = 0;
  }
}

const TYPES: readonly StripeErrorType[] = ['invalid_request_error', 'api_error', 'card_error', 'idempotency_error', 'rate_limit_error'];

/** Reads a fault from the control request's form fields; throws StripeApiError on nonsense. */
export function readFault(form: URLSearchParams): PlannedFault {
  const method = (form.get('method') ?? 'POST').toUpperCase();
  const path = form.get('path') ?? '';
  const status = Number(form.get('status') ?? '500');
  const type = (form.get('type') ?? (status >= 500 ? 'api_error' : 'invalid_request_error')) as StripeErrorType;
  const times = Number(form.get('times') ?? '1');
  if (!path.startsWith('/v1/')) throw new StripeApiError(400, 'invalid_request_error', 'path must be an API path such as /v1/refunds', 'parameter_invalid_string', 'path');
  if (!Number.isInteger(status) || status < 400 || status > 599) throw new StripeApiError(400, 'invalid_request_error', 'status must be 400-599', 'parameter_invalid_integer', 'status');
  if (!TYPES.includes(type)) throw new StripeApiError(400, 'invalid_request_error', `type must be one of ${TYPES.join(', ')}`, 'parameter_invalid_string', 'type');
  if (!Number.isInteger(times) || times < 1) throw new StripeApiError(400, 'invalid_request_error', 'times must be a positive integer', 'parameter_invalid_integer', 'times');
  const code = form.get('code') ?? undefined;
  return {
    method,
    path,
    status,
    type,
    ...(code ? { code } : {}),
    message: form.get('message') ?? `Planned fault (${status} ${type}) from the local Stripe stand-in.`,
    remaining: times,
  };
}
