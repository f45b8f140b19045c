/**
 * The types and constants that every side of uplock shares: the HTTP bodies of docs/architecture.md §3,
 * the order view, the runtime config (`UPLOCK_CONFIG`, also served in part by `GET /api/config`),
 * the Stripe event types the pipeline acts on, and the JSON the `uplock` tool prints.
 *
 * Declared once, here, and imported by lambdas/, lib/, local/, bin/ and frontend/ (the frontend with
 * `import type`, so no server code reaches the browser bundle). This module has no imports and no
 * behaviour: types and constants only, so importing it costs nothing anywhere.
 */

// ---------------------------------------------------------------------------------------------
// Order states
// ---------------------------------------------------------------------------------------------

export const JOB_STATES = ['awaiting_upload', 'processing', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const PAYMENT_STATES = ['unpaid', 'pending', 'paid', 'refunded'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** A deliberate error: what every 4xx/5xx body and every `uplock --json` failure carries. */
export interface ErrorInfo {
  /** snake_case, stable: scripts branch on it. */
  code: string;
  /** For a person; never a stack trace, SDK message or internal name. */
  message: string;
}

export interface ErrorBody {
  error: ErrorInfo;
}

// ---------------------------------------------------------------------------------------------
// HTTP bodies (docs/architecture.md §3)
// ---------------------------------------------------------------------------------------------

/** `GET /api/config`: what the page needs to show the offer and check a file before upload. */
export interface PublicConfig {
  product: { name: string; description: string };
  /** Minor units (cents, yen), as Stripe counts `amount_total`. */
  price: { amount: number; currency: string };
  maxUploadBytes: number;
  acceptedExtensions: string[];
  downloadLimit: number;
  linkTtlHours: number;
  /** How long uploads, results and the order (with its email) are kept. */
  retentionDays: number;
}

/** `POST /api/orders` request. */
export interface CreateOrderRequest {
  email: string;
  fileName: string;
  size: number;
  contentType?: string;
  lang?: Lang;
}

/** `POST /api/orders` 201. */
export interface CreatedOrder {
  orderId: string;
  upload: { url: string; fields: Record<string, string> };
  /** ISO timestamp; the presigned POST is refused after it. */
  uploadExpiresAt: string;
}

/** `GET /api/orders/{orderId}` 200: never the email, never the paid result. */
export interface OrderView {
  orderId: string;
  job: JobState;
  payment: PaymentState;
  delivered: boolean;
  /** While processing: the percent the job reported (docs/jobs.md "progress"). */
  progress?: number;
  /** While processing: the job takes longer than usual (a slow file, or a retry after a crash). */
  slow?: boolean;
  /** `kind` says which renderer: `data-profile` (built-in) or `job` (an operator's preview.json). */
  preview?: unknown;
  /** Present only while `job` is done and `payment` unpaid. */
  payUrl?: string;
  /** Why the job failed. */
  error?: ErrorInfo;
  /** Present (true) once the payment is disputed: downloads stop while the bank settles it. */
  disputed?: boolean;
  /**
   * Present (true) while a failed job's payment is still held because Stripe refused its
   * automatic refund for good (docs/payments.md): the shop was alerted and settles it by hand.
   */
  refundRefused?: boolean;
}

/** `GET /api/checkout-sessions/{sessionId}` 200. */
export interface CheckoutSessionOrder {
  orderId: string;
}

/** `POST /api/orders/lookup` request (202 whatever the address). */
export interface LookupRequest {
  email: string;
  lang?: Lang;
}

/** `POST /api/orders/{orderId}/erase-request` request (202 whatever the order: no enumeration). */
export interface EraseRequest {
  lang?: Lang;
}

/** `POST /api/erase/{token}` 200: what was erased. */
export interface EraseResult {
  orderId: string;
  erased: true;
}

/** `POST /api/unsubscribe/{token}` 200 (a broadcast's unsubscribe link; 404 for an unknown token). */
export interface UnsubscribeResult {
  unsubscribed: true;
}

/** `POST /api/stripe/webhook` 200. */
export interface WebhookReceived {
  received: true;
}

// ---------------------------------------------------------------------------------------------
// Runtime config (`UPLOCK_CONFIG`)
// ---------------------------------------------------------------------------------------------

/**
 * The one runtime config document every function reads (lambdas/config.ts validates it with zod;
 * lib/config.ts writes it; local/runtime-config.ts builds the local cloud's). Secret values never
 * appear: only the ids of the Secrets Manager secrets that hold them.
 */
export interface RuntimeConfigDocument {
  region: string;
  tableName: string;
  bucketName: string;
  /** Public base URL of the site (no trailing slash): links in emails, Stripe redirects. */
  siteUrl: string;
  /** Local stand-ins only; absent in AWS. */
  endpoints?: { s3?: string; dynamodb?: string; ses?: string; stripe?: string; events?: string };
  product: { name: string; description: string };
  price: { amount: number; currency: string };
  maxUploadBytes: number;
  acceptedExtensions: string[];
  downloadLimit: number;
  linkTtlHours: number;
  retentionDays: number;
  senderEmail: string;
  /** SES configuration set every email goes through (the stack's, with bounce suppression); absent locally. */
  emailConfigurationSet?: string;
  /** Seconds a delivery claim blocks other attempts before it is presumed crashed (default 300). */
  deliveryClaimSeconds?: number;
  /** MB the data profile's exact figures may hold (default DEFAULT_PROFILE_MEMORY_BUDGET_MB). */
  profileMemoryBudgetMb?: number;
  stripe: {
    paymentMode: PaymentMode;
    /** '' (a deploy-time token not wired yet) reads as absent. */
    paymentLinkId?: string;
    paymentLinkUrl?: string;
    priceId?: string;
    livemode: boolean;
    /** Secrets Manager ids (AWS). */
    secretKeySecretId?: string;
    webhookSecretSecretId?: string;
    signatureToleranceSeconds?: number;
  };
}

/**
 * The data profile's memory budget by default (MB): sized for the process function's 1,769 MB
 * (lib/uplock-stack.ts), so that every file up to the default upload limit gets exact figures
 * while Node, the upload stream and the report keep ~745 MB (docs/processor.md).
 */
export const DEFAULT_PROFILE_MEMORY_BUDGET_MB = 1024;

export const PAYMENT_MODES = ['payment-link', 'checkout-session'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

/**
 * The stack output that holds the runtime config the operator's tool reads (`uplock --stack`).
 * The same JSON as the functions' `UPLOCK_CONFIG` (the parts every function shares).
 */
export const RUNTIME_CONFIG_OUTPUT = 'RuntimeConfig';

/** The stack output with the site's public URL (`uplock smoke --url`). */
export const SITE_URL_OUTPUT = 'SiteUrl';

// ---------------------------------------------------------------------------------------------
// Stripe
// ---------------------------------------------------------------------------------------------

/**
 * The Stripe event types uplock acts on: the webhook endpoint and the EventBridge rule subscribe
 * to exactly these; handleStripeEvent switches over them exhaustively.
 */
export const HANDLED_STRIPE_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'charge.refunded',
  'charge.dispute.created',
] as const;
export type HandledStripeEventType = (typeof HANDLED_STRIPE_EVENT_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Metrics: what the handlers emit (lambdas/adapters/observability.ts) is what the alarms watch
// (lib/monitoring.ts); both take the names from here.
// ---------------------------------------------------------------------------------------------

/** CloudWatch namespace of the handlers' EMF metrics. */
export const METRIC_NAMESPACE = 'uplock';

/**
 * The dimensions on every one of them: Powertools Metrics writes its `serviceName` as the `service`
 * dimension (observability.ts passes this value), and an alarm must name the same set to match.
 */
export const METRIC_DIMENSIONS = { service: 'uplock' } as const;

/** The metrics the handlers count. */
export const METRIC_NAMES = [
  'DeliveryFailures',
  'Deliveries',
  'PaymentMismatch',
  'JobFailures',
  'WebhookRejected',
  'Disputes',
  'Refunds',
  'RefundRefused',
  'StripeApiVersionMismatch',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

// ---------------------------------------------------------------------------------------------
// The pipeline's own EventBridge events (default bus; lambdas/adapters/event-bus.ts puts them,
// lib/ routes them in AWS, local/event-bus.ts in the local cloud)
// ---------------------------------------------------------------------------------------------

/** `source` of every event uplock puts on the bus ("aws." sources are reserved for AWS). */
export const UPLOCK_EVENT_SOURCE = 'uplock';

/**
 * A job failed: the stripe-events function refunds the order if it is paid ("no result, no
 * charge"), so the job itself never needs the Stripe client. Detail: `JobFailedDetail`.
 */
export const JOB_FAILED_DETAIL_TYPE = 'Job Failed';
export interface JobFailedDetail {
  orderId: string;
  /** The order table: the stack's rule matches only its own table's events. */
  table: string;
}

/**
 * The sweeper re-announces an upload whose job was killed with S3's own detail type and detail
 * shape (bucket name, URL-encoded key), so the upload rule runs the job exactly as for S3's event.
 */
export const UPLOAD_ANNOUNCED_DETAIL_TYPE = 'Object Created';

// ---------------------------------------------------------------------------------------------
// The operator's tool (`npx uplock`): what `--json` prints (docs/operations.md)
// ---------------------------------------------------------------------------------------------

/** Exit codes of `uplock`. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** What `--status` accepts: any job or payment state, or `delivered`. */
export const ORDER_STATUS_FILTERS = [...JOB_STATES, ...PAYMENT_STATES, 'delivered'] as const;
export type OrderStatusFilter = (typeof ORDER_STATUS_FILTERS)[number];

/** One row of `uplock orders list --json`. */
export interface OrderSummary {
  orderId: string;
  email: string;
  fileName: string;
  size: number;
  job: JobState;
  payment: PaymentState;
  delivered: boolean;
  createdAt: string;
  amount?: number;
  currency?: string;
  deliveredAt?: string;
  refundedAt?: string;
  disputedAt?: string;
  /** A smoke-test order (`uplock smoke`): left out of stats and export. */
  smoke?: boolean;
}

export const TIMELINE_KINDS = [
  'created',
  'uploaded',
  'job_done',
  'job_failed',
  'paid',
  'payment_pending',
  'payment_failed',
  'delivered',
  'download',
  'email',
  'refund_requested',
  /** Stripe refused a refund uplock asked for, for good (core/stripe-events.ts requestRefund): settle it in the Dashboard. */
  'refund_refused',
  'refunded',
  'disputed',
  'extended',
  'rerun',
  'erase_requested',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One entry of an order's timeline, oldest first. */
export interface TimelineEntry {
  /** ISO-8601. */
  at: string;
  kind: TimelineKind;
  detail?: Record<string, unknown>;
}

/** `uplock orders show --json`. */
export interface OrderDetail extends OrderSummary {
  sessionId?: string;
  paymentIntentId?: string;
  payerEmail?: string;
  jobError?: ErrorInfo;
  timeline: TimelineEntry[];
}

/** `uplock stats --json`. */
export interface ShopStats {
  since: string;
  orders: number;
  previews: number;
  paid: number;
  /** paid / previews, 0..1 (0 when there were no previews). */
  conversion: number;
  revenue: Record<string, number>;
  refunds: number;
  disputes: number;
  failedJobs: number;
  /** Milliseconds; absent when no order had both times. */
  medianUploadToPreviewMs?: number;
  medianPayToEmailMs?: number;
}

/** `uplock orders delete --json`: one entry per erased order. */
export interface ErasedOrder {
  orderId: string;
  removed: { order: boolean; tokens: number; objects: string[] };
  /** The personal-data-free record that stays so that later Stripe events are recognised. */
  tombstone: { orderId: string; paymentIntentId?: string; erasedAt: string };
}

/** `uplock broadcast --json`. */
export interface BroadcastReport {
  id: string;
  matched: number;
  sent: number;
  /** Already sent by an earlier run with the same id. */
  alreadySent: number;
  unsubscribed: number;
  failed: number;
  /** True when the SES daily quota stopped the run: run it again tomorrow. */
  stoppedAtQuota: boolean;
  dryRun: boolean;
  /**
   * With `--rerun`: paid orders this run ran again before their email (with `--dry-run`: would
   * run), reruns that failed (the order kept its result and the email links to it), and orders an
   * earlier run with the same id already ran again (not run twice).
   */
  rerun?: { ran: number; failed: number; before: number };
}

/** `uplock smoke --json`. */
export interface SmokeReport {
  url: string;
  ok: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}
