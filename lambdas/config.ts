/**
 * The one runtime config object. Every handler reads it once, at module scope, through
 * `loadConfig()`; nothing else reads `process.env`.
 *
 * It arrives as one JSON document in `UPLOCK_CONFIG` (CDK writes it from lib/config.ts, the local
 * cloud from local/cloud.ts), so the deployed and the local pipeline are configured the same way.
 * Secret values never travel in it: in AWS the config names Secrets Manager secrets; locally the
 * stand-in's throwaway test key and signing secret come from `STRIPE_SECRET_KEY` /
 * `STRIPE_WEBHOOK_SECRET`.
 */
import * as z from 'zod/mini';
import { DEFAULT_PROFILE_MEMORY_BUDGET_MB, PAYMENT_MODES, type RuntimeConfigDocument } from './contract';

const extension = z.string().check(z.regex(/^\.[a-z0-9]{1,10}$/));

export const runtimeConfigSchema = z.object({
  region: z._default(z.string(), 'us-east-1'),
  tableName: z.string().check(z.minLength(1)),
  bucketName: z.string().check(z.minLength(1)),
  /** Public base URL of the site (no trailing slash): links in emails, Stripe redirects. */
  siteUrl: z.url(),
  /** Local stand-ins only; absent in AWS. */
  endpoints: z._default(
    z.object({
      s3: z.optional(z.url()),
      dynamodb: z.optional(z.url()),
      ses: z.optional(z.url()),
      stripe: z.optional(z.url()),
      /** EventBridge PutEvents (local/event-bus.ts). */
      events: z.optional(z.url()),
    }),
    {},
  ),
  product: z.object({
    name: z.string().check(z.minLength(1), z.maxLength(120)),
    description: z.string().check(z.maxLength(500)),
  }),
  price: z.object({
    /** Minor units (cents, yen), as Stripe counts `amount_total`. */
    amount: z.int().check(z.positive()),
    currency: z.string().check(z.regex(/^[a-z]{3}$/)),
  }),
  maxUploadBytes: z.int().check(z.positive()),
  acceptedExtensions: z.array(extension).check(z.minLength(1)),
  downloadLimit: z.int().check(z.positive()),
  linkTtlHours: z.number().check(z.positive()),
  retentionDays: z._default(z.int().check(z.positive()), 30),
  senderEmail: z.email(),
  /** SES configuration set named on every SendEmail (lib/email.ts creates it); absent locally. */
  emailConfigurationSet: z.optional(z.string().check(z.minLength(1))),
  /**
   * How long a delivery claim blocks other attempts before it is presumed crashed and taken over
   * (core/order.ts). Longer than any one delivery (a read, a write, one email) takes; the crash
   * tests shorten it so a takeover is seen within a test.
   */
  deliveryClaimSeconds: z._default(z.int().check(z.positive()), 300),
  /**
   * Memory (MB) the data profile's exact figures may hold before each falls back to a sketch
   * (docs/processor.md "Memory budget"). The default is sized for the process function's
   * 1,769 MB (lib/uplock-stack.ts): it leaves ~745 MB for Node, the upload stream and the report.
   * Lower it with the function's memory; 0 gives sketches only.
   */
  profileMemoryBudgetMb: z._default(z.number().check(z.nonnegative()), DEFAULT_PROFILE_MEMORY_BUDGET_MB),
  /** The job (docs/jobs.md): the built-in data profile, or an operator's job folder. */
  job: z._default(
    z.object({
      /** Absolute path of the job folder (uplock-job.json); absent: the built-in data-profile job. */
      folder: z.optional(z.string().check(z.minLength(1))),
      /** Runs of one job (the first and retries after a crash) before the order fails. */
      maxAttempts: z._default(z.int().check(z.positive(), z.maximum(10)), 3),
      /** Where the job's work folders go; default the system's temp folder (/tmp on Lambda). */
      workDir: z.optional(z.string().check(z.minLength(1))),
      /** Standard output and error a job may write before it is stopped. */
      maxLogBytes: z._default(z.int().check(z.positive()), 1024 * 1024),
    }),
    { maxAttempts: 3, maxLogBytes: 1024 * 1024 },
  ),
  stripe: z.object({
    paymentMode: z._default(z.enum(PAYMENT_MODES), 'payment-link'),
    paymentLinkId: z.optional(z.string().check(z.regex(/^plink_[A-Za-z0-9]+$/))),
    paymentLinkUrl: z.optional(z.url()),
    priceId: z.optional(z.string()),
    livemode: z._default(z.boolean(), false),
    /** Secrets Manager ids (AWS). */
    secretKeySecretId: z.optional(z.string()),
    webhookSecretSecretId: z.optional(z.string()),
    /** How far a signature timestamp may be from now, seconds (Stripe's default tolerance). */
    signatureToleranceSeconds: z._default(z.int().check(z.positive()), 300),
  }),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

// The schema and the shared declaration (lambdas/contract.ts) describe one document: each side must
// accept what the other produces, or this file does not compile.
type Assignable<From extends To, To> = From;
export type ParsedIsDocument = Assignable<RuntimeConfig, RuntimeConfigDocument>;
export type DocumentIsInput = Assignable<RuntimeConfigDocument, z.input<typeof runtimeConfigSchema>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The deploy-time Stripe wiring reports '' for the ids it could not create yet (no key in Secrets
 * Manager): CloudFormation cannot leave a key out conditionally, so '' means absent.
 */
function dropEmptyStripeIds(raw: unknown): unknown {
  const stripe = (raw as { stripe?: Record<string, unknown> } | null)?.stripe;
  if (!stripe || typeof stripe !== 'object') return raw;
  const cleaned = Object.fromEntries(
    Object.entries(stripe).filter(([key, value]) => !(['paymentLinkId', 'paymentLinkUrl', 'priceId'].includes(key) && value === '')),
  );
  return { ...(raw as object), stripe: cleaned };
}

/** Parse and validate; the error names every bad key and what was wrong with it. */
export function parseConfig(raw: unknown): RuntimeConfig {
  const result = runtimeConfigSchema.safeParse(dropEmptyStripeIds(raw));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`UPLOCK_CONFIG is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

let cached: RuntimeConfig | undefined;

/** Read once per process (module scope in handlers), fail fast naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  if (cached) return cached;
  const text = env.UPLOCK_CONFIG;
  if (!text) throw new ConfigError('UPLOCK_CONFIG is not set: it must hold the JSON runtime config');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError('UPLOCK_CONFIG is not valid JSON');
  }
  cached = parseConfig(raw);
  return cached;
}

/** Secret values for the local cloud only; in AWS these come from Secrets Manager. */
export function localSecrets(env: NodeJS.ProcessEnv = process.env): {
  stripeSecretKey?: string;
  webhookSecret?: string;
} {
  return { stripeSecretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET };
}
