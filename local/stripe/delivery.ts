/**
 * Webhook delivery as Stripe does it: one signed JSON POST per endpoint that subscribed to the
 * event type; a 2xx answer is success, anything else (or no answer in time) is retried later with
 * exponential backoff. Stripe retries for three days; the stand-in retries a bounded number of
 * times so a stopped receiver does not keep the process busy.
 *
 * What is still owed (each event × endpoint not yet answered 2xx, with its next attempt and when)
 * is kept in the store's `webhookRetries`, written before each attempt: a stand-in that is killed
 * or restarted picks the retries up again (`resume()`), as Stripe, which never restarts, would
 * keep them. An attempt that was in flight when the process died counts as not answered.
 */
import { signatureHeader } from './signing.js';
import type { StripeEvent, WebhookEndpoint } from './objects.js';

/** One delivery still owed: the event, the endpoint, the attempt to make next and when (ms). */
export interface OwedDelivery {
  eventId: string;
  endpointId: string;
  attempt: number;
  dueAt: number;
}

/** Where owed deliveries live (the store's persisted `webhookRetries`) and how to find what they name. */
export interface DeliveryLedger {
  readonly owed: Record<string, OwedDelivery>;
  event(id: string): StripeEvent | undefined;
  endpoint(id: string): WebhookEndpoint | undefined;
  save(): void;
}

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

  constructor(
    private readonly opts: DeliveryOptions,
    private readonly ledger: DeliveryLedger,
  ) {}

  /**
   * Picks up the deliveries owed from before a restart: each is attempted at its due time (at once
   * if that passed, e.g. the attempt the killed process had in flight), at the endpoint's current URL.
   */
  resume(): void {
    for (const [key, owed] of Object.entries(this.ledger.owed)) {
      const event = this.ledger.event(owed.eventId);
      const endpoint = this.ledger.endpoint(owed.endpointId);
      if (!event || !endpoint) {
        delete this.ledger.owed[key];
        continue;
      }
      this.opts.log(`webhook ${event.id} → ${endpoint.url}: resuming at attempt ${owed.attempt}`);
      this.later(event, payloadFor(event, endpoint), owed.endpointId, owed.attempt, Math.max(0, owed.dueAt - Date.now()));
    }
    this.ledger.save();
  }

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
    const attempts = targets.map((endpoint) => this.attempt(event, payloadFor(event, endpoint), endpoint.id, 1));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([Promise.allSettled(attempts), timeout]);
    clearTimeout(timer);
  }

  private async attempt(event: StripeEvent, payload: string, endpointId: string, attempt: number): Promise<void> {
    if (this.closed) return;
    const key = `${event.id} ${endpointId}`;
    // Looked up at each attempt: a restarted local cloud may have moved the endpoint to a new port.
    const endpoint = this.ledger.endpoint(endpointId);
    if (!endpoint || endpoint.status !== 'enabled') {
      delete this.ledger.owed[key];
      this.ledger.save();
      return;
    }
    this.ledger.owed[key] = { eventId: event.id, endpointId, attempt, dueAt: Date.now() };
    this.ledger.save();
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
    // Closed meanwhile (the stand-in is stopping): what is owed stays owed, for the next start.
    if (this.closed && !ok) return;
    this.opts.log(`webhook ${event.id} ${event.type} → ${endpoint.url}: ${outcome} (attempt ${attempt})`);
    if (ok) {
      event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
      delete this.ledger.owed[key];
      this.ledger.save();
      this.opts.onDelivered(event);
      return;
    }
    if (attempt >= this.opts.maxAttempts) {
      this.opts.log(`webhook ${event.id} → ${endpoint.url}: giving up after ${attempt} attempts`);
      delete this.ledger.owed[key];
      this.ledger.save();
      return;
    }
    const delay = this.opts.retryBaseMs * 2 ** (attempt - 1);
    this.ledger.owed[key] = { eventId: event.id, endpointId, attempt: attempt + 1, dueAt: Date.now() + delay };
    this.ledger.save();
    this.later(event, payload, endpointId, attempt + 1, delay);
  }

  private later(event: StripeEvent, payload: string, endpointId: string, attempt: number, delay: number): void {
    if (this.closed) return;
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      void this.attempt(event, payload, endpointId, attempt);
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

/**
 * Stripe resends the same payload on every retry. An endpoint created with another `api_version`
 * gets the event labelled with that version (the stand-in renders only the pinned one,
 * docs/local-stripe.md), so a receiver's version check can be exercised.
 */
function payloadFor(event: StripeEvent, endpoint: WebhookEndpoint): string {
  return JSON.stringify(endpoint.api_version ? { ...event, api_version: endpoint.api_version } : event, null, 2);
}
