/**
 * The stand-in's whole state, in memory, optionally mirrored to one JSON file so that
 * `npm start` keeps products, links, sessions and events across restarts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  Charge,
  CheckoutSession,
  Dispute,
  LineItemSpec,
  PaymentIntent,
  PaymentLink,
  Price,
  Product,
  Refund,
  StripeEvent,
  WebhookEndpoint,
} from './objects.js';
import type { OwedDelivery } from './delivery.js';
import { API_VERSION } from './objects.js';

/** A stored POST response, replayed for the same `Idempotency-Key` (Stripe keeps them 24 h). */
export interface IdempotentResponse {
  fingerprint: string;
  status: number;
  body: string;
  createdAt: number;
}

/**
 * 2: objects in the pinned API version (objects.ts). Files of version 1 hold 2023-08-16 shapes,
 * which the SDK would misread: they are refused, not served.
 */
export const STORE_VERSION = 2;

export interface StoreData {
  version: typeof STORE_VERSION;
  products: Record<string, Product>;
  prices: Record<string, Price>;
  paymentLinks: Record<string, PaymentLink>;
  paymentLinkLineItems: Record<string, LineItemSpec[]>;
  checkoutSessions: Record<string, CheckoutSession>;
  sessionLineItems: Record<string, LineItemSpec[]>;
  paymentIntents: Record<string, PaymentIntent>;
  charges: Record<string, Charge>;
  refunds: Record<string, Refund>;
  disputes: Record<string, Dispute>;
  events: Record<string, StripeEvent>;
  webhookEndpoints: Record<string, WebhookEndpoint>;
  idempotency: Record<string, IdempotentResponse>;
  /** Test-mode settlement the stand-in still owes: payment intent id → outcome + due time. */
  pendingSettlements: Record<string, { outcome: 'succeeded' | 'failed'; dueAt: number }>;
  /** Disputes the stand-in still owes: charge id → due time (ms). */
  pendingDisputes: Record<string, number>;
  /** Webhook deliveries not yet answered 2xx: `<event id> <endpoint id>` → next attempt (delivery.ts). */
  webhookRetries: Record<string, OwedDelivery>;
}

export function emptyStoreData(): StoreData {
  return {
    version: STORE_VERSION,
    products: {},
    prices: {},
    paymentLinks: {},
    paymentLinkLineItems: {},
    checkoutSessions: {},
    sessionLineItems: {},
    paymentIntents: {},
    charges: {},
    refunds: {},
    disputes: {},
    events: {},
    webhookEndpoints: {},
    idempotency: {},
    pendingSettlements: {},
    pendingDisputes: {},
    webhookRetries: {},
  };
}

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * stripe-node puts a fresh `stripe-node-retry-<uuid>` key on every POST so that its own network
 * retries (seconds apart) are safe. Those are kept in memory only: persisting one per request
 * would grow the data file with every call. Keys the caller chose (e.g. derived from a session
 * id, to refund once) are persisted and survive a restart.
 */
function isSdkRetryKey(key: string): boolean {
  return key.startsWith('stripe-node-retry-');
}

export class StripeStore {
  readonly data: StoreData;
  private readonly ephemeralIdempotency = new Map<string, IdempotentResponse>();
  private pending: NodeJS.Immediate | undefined;

  constructor(private readonly file?: string) {
    this.data = file ? loadFile(file) : emptyStoreData();
  }

  idempotentResponse(slot: string): IdempotentResponse | undefined {
    return this.data.idempotency[slot] ?? this.ephemeralIdempotency.get(slot);
  }

  rememberResponse(slot: string, key: string, response: IdempotentResponse): void {
    if (isSdkRetryKey(key)) {
      this.ephemeralIdempotency.set(slot, response);
    } else {
      this.data.idempotency[slot] = response;
      this.save();
    }
  }

  /**
   * Schedules a write at the end of this turn of the event loop, so the several changes one
   * request makes (session, payment intent, charge, events) cost one write, not one each.
   */
  save(): void {
    if (!this.file || this.pending) return;
    this.pending = setImmediate(() => this.flush());
  }

  /** Writes now: to a temporary file renamed over the old one, so a crash never leaves half a file. */
  flush(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    this.pruneIdempotency();
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }

  private pruneIdempotency(): void {
    const cutoff = Date.now() - IDEMPOTENCY_TTL_MS;
    for (const [key, entry] of Object.entries(this.data.idempotency)) {
      if (entry.createdAt < cutoff) delete this.data.idempotency[key];
    }
    for (const [key, entry] of this.ephemeralIdempotency) {
      if (entry.createdAt < cutoff) this.ephemeralIdempotency.delete(key);
    }
  }
}

function loadFile(file: string): StoreData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyStoreData();
    throw err;
  }
  let parsed: Omit<Partial<StoreData>, 'version'> & { version?: number };
  try {
    parsed = JSON.parse(text) as Partial<StoreData>;
  } catch {
    throw new Error(`${file} is not valid JSON: fix or delete it (npm start --reset wipes local data)`);
  }
  if (parsed.version === 1) {
    throw new Error(`${file} was written by an older stand-in in Stripe API version 2023-08-16: start with --reset (npm start -- --reset) to begin again in ${API_VERSION}`);
  }
  if (parsed.version !== STORE_VERSION) throw new Error(`${file}: not a local Stripe data file (version ${String(parsed.version)})`);
  // Fill collections added after the file was written.
  return { ...emptyStoreData(), ...parsed, version: STORE_VERSION };
}
