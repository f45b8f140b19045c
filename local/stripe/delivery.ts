/**
 * Webhook delivery as Stripe does it: one signed JSON POST per endpoint that subscribed to the
 * event type; a 2xx answer is success, anything else (or no answer in time) is retried later with
 * exponential backoff. Stripe retries for three days; the stand-in retries a bounded number of
 * times so a stopped receiver does not keep the process busy.
 */
import { signatureHeader } from './signing.js';
import type { StripeEvent, WebhookEndpoint } from './objects.js';

export interface DeliveryOptions {
  /** First retry delay; each later one doubles. */
  retryBaseMs: number;
  /** Attempts per endpoint, the first included. */
  maxAttempts: number;
  /** How long one attempt may take before it counts as failed. */
  attemptTimeoutMs: number;
  /** When set, overrides every endpoint's own secret (STRIPE_WEBHOOK_SECRET). */
  webhookSecret?: string;
  log: (line: string) => void;
  /** Called after an event's `pending_webhooks` changed, so the store can be saved. */
  onDelivered: (event: StripeEvent) => void;
}

export function endpointWants(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));
}

export class WebhookDelivery {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly opts: DeliveryOptions) {}

  /**
   * Sends the event to each endpoint and resolves once every first attempt has finished (or
   * `waitMs` passed); failed endpoints are retried in the background.
   */
  async deliver(event: StripeEvent, endpoints: readonly WebhookEndpoint[], waitMs = this.opts.attemptTimeoutMs): Promise<void> {
    const targets = endpoints.filter((e) => endpointWants(e, event.type));
    if (targets.length === 0) return;
    // Stripe resends the same payload on every retry; freeze it now. An endpoint created with
    // another `api_version` gets the event labelled with that version (the stand-in renders only
    // the pinned one, docs/local-stripe.md), so a receiver's version check can be exercised.
    const attempts = targets.map((endpoint) =>
      this.attempt(event, JSON.stringify(endpoint.api_version ? { ...event, api_version: endpoint.api_version } : event, null, 2), endpoint, 1),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([Promise.allSettled(attempts), timeout]);
    clearTimeout(timer);
  }

  private async attempt(event: StripeEvent, payload: string, endpoint: WebhookEndpoint, attempt: number): Promise<void> {
    if (this.closed) return;
    const secret = this.opts.webhookSecret ?? endpoint.secret;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.opts.attemptTimeoutMs);
    let outcome: string;
    let ok = false;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(payload, secret),
        },
        body: payload,
        signal: controller.signal,
        redirect: 'manual',
      });
      // Drain the body so the connection is released.
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
      outcome = String(res.status);
    } catch (err) {
      outcome = controller.signal.aborted ? 'timeout' : `error (${(err as Error).message})`;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    this.opts.log(`webhook ${event.id} ${event.type} → ${endpoint.url}: ${outcome} (attempt ${attempt})`);
    if (ok) {
      event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
      this.opts.onDelivered(event);
      return;
    }
    if (attempt >= this.opts.maxAttempts || this.closed) {
      if (attempt >= this.opts.maxAttempts) this.opts.log(`webhook ${event.id} → ${endpoint.url}: giving up after ${attempt} attempts`);
      return;
    }
    const delay = this.opts.retryBaseMs * 2 ** (attempt - 1);
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      void this.attempt(event, payload, endpoint, attempt + 1);
    }, delay);
    retry.unref();
    this.timers.add(retry);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
  }
}
