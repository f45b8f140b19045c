/**
 * Least privilege, as one table: what each handler may touch. The stack applies it through the
 * `bind…` methods, so a handler's IAM policy and its `UPLOCK_CONFIG` both come from this row.
 * Changing what a handler does means changing its row here, and test/infra asserts the result.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { HandlerName, JobName } from '../lambdas/routes';
import type { BucketAccess, EmailSending, StripeSecretKind, TableAccess, TableBulkRead } from './runtime-binding';

export type FunctionName = HandlerName | JobName;

export interface HandlerAccess {
  readonly table?: TableAccess;
  /** GSIs queried (needs read access). */
  readonly indexes?: readonly string[];
  /** Batched reads and scans (needs read access). */
  readonly bulkReads?: readonly TableBulkRead[];
  readonly bucket?: BucketAccess;
  readonly secrets?: readonly StripeSecretKind[];
  readonly sendEmail?: boolean;
  /** Put the pipeline's own events (lambdas/contract.ts) on the default EventBridge bus. */
  readonly putEvents?: boolean;
}

/** The GSI the lookup route queries (keys `email` / `createdAt`; see lib/storage.ts). */
export const EMAIL_INDEX = 'byEmail';

export const handlerAccess = {
  // Serves static config: no data access at all.
  'get-config': {},
  // Creates the order item and presigns the upload (the signer needs PutObject on that key).
  'create-order': { table: 'write', bucket: { write: ['uploads/'] } },
  'get-order': { table: 'read', bucket: { read: ['previews/'] } },
  // Asks Stripe which order a Checkout Session paid for.
  'get-checkout-session': { secrets: ['secretKey'] },
  // Queries by email, writes rate-limit items, emails the order list.
  'lookup-orders': { table: 'readwrite', indexes: [EMAIL_INDEX], sendEmail: true },
  // Verifies the signature, records the payment, refunds duplicates, delivers (email with a /d/ link:
  // no S3 access, the download handler presigns).
  'stripe-webhook': { table: 'readwrite', secrets: ['secretKey', 'webhookSecret'], sendEmail: true },
  // Checks the broadcast's signed unsubscribe token (key derived from the Stripe key) and records it.
  unsubscribe: { table: 'readwrite', secrets: ['secretKey'] },
  // "Delete my data": emails the order's address a confirmation link (rate-limit and link items).
  'request-erase': { table: 'readwrite', sendEmail: true },
  // The confirmation page's button: erases the order (core/erase.ts): finds, then deletes, its
  // upload, results and preview; deletes its order and token items; writes the tombstone.
  'erase-order': {
    table: 'readwrite',
    bucket: { read: ['uploads/', 'results/', 'previews/'], delete: ['uploads/', 'results/', 'previews/'] },
  },
  // Decrements the token and presigns a GET of the result.
  download: { table: 'readwrite', bucket: { read: ['results/'] } },
  // Reads the upload, writes result and preview, delivers (the Stripe key only derives the link's
  // token key: no Stripe call), and announces a paid order's failed job on the bus ("Job Failed":
  // stripe-events refunds it).
  'process-upload': {
    table: 'readwrite',
    bucket: { read: ['uploads/'], write: ['results/', 'previews/'] },
    secrets: ['secretKey'],
    sendEmail: true,
    putEvents: true,
  },
  // Lists paid sessions of the Payment Link and fulfils any the webhook missed (their orders read in
  // batches), applies refunds and disputes whose events were lost, and re-announces uploads whose
  // job was killed (a scan for expired job claims, then an "Object Created" put on the bus: no S3 access).
  sweeper: {
    table: 'readwrite',
    bulkReads: ['dynamodb:BatchGetItem', 'dynamodb:Scan'],
    secrets: ['secretKey'],
    sendEmail: true,
    putEvents: true,
  },
  // Same path as the webhook, but EventBridge already authenticated the event: no signing secret.
  // Also refunds a paid order whose job failed (the job's "Job Failed" event).
  'stripe-events': { table: 'readwrite', secrets: ['secretKey'], sendEmail: true },
} as const satisfies Record<FunctionName, HandlerAccess>;

/**
 * In `checkout-session` payment mode the order page's poll opens the Checkout Session itself
 * (lambdas/core/checkout.ts): get-order then also calls Stripe with the API key and records the
 * session on the order item.
 */
export const checkoutSessionAccess = {
  'get-order': { table: 'readwrite', bucket: { read: ['previews/'] }, secrets: ['secretKey'] },
} as const satisfies Partial<Record<FunctionName, HandlerAccess>>;

/** The access row of one function in the given payment mode. */
export function accessFor(name: FunctionName, paymentMode: 'payment-link' | 'checkout-session'): HandlerAccess {
  if (paymentMode === 'checkout-session' && name in checkoutSessionAccess) {
    return checkoutSessionAccess[name as keyof typeof checkoutSessionAccess];
  }
  return handlerAccess[name];
}

/** What the access rows refer to. */
export interface AccessResources {
  readonly table: ITable;
  readonly bucket: IBucket;
  readonly secrets: Readonly<Record<StripeSecretKind, ISecret>>;
  readonly email: EmailSending;
}

/** Anything with the bind… methods: an UplockFunction or the Fargate task's binding. */
export interface Bindable {
  bindTable(table: ITable, access: TableAccess, options?: { indexes?: readonly string[]; bulkReads?: readonly TableBulkRead[] }): unknown;
  bindBucket(bucket: IBucket, access: BucketAccess): unknown;
  bindSecret(secret: ISecret, kind: StripeSecretKind): unknown;
  bindEmail(email: EmailSending): unknown;
  bindEvents(): unknown;
}

export function applyAccess(target: Bindable, access: HandlerAccess, resources: AccessResources): void {
  if (access.table) target.bindTable(resources.table, access.table, { indexes: access.indexes ?? [], bulkReads: access.bulkReads ?? [] });
  if (access.bucket) target.bindBucket(resources.bucket, access.bucket);
  for (const kind of access.secrets ?? []) target.bindSecret(resources.secrets[kind], kind);
  if (access.sendEmail) target.bindEmail(resources.email);
  if (access.putEvents) target.bindEvents();
}
