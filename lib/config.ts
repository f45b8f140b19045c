/**
 * The one typed, validated deploy config. It is read once at synth time from the cdk.json context
 * key `uplock`, overlaid by `uplock.config.json` at the repository root when that file exists (so an
 * operator keeps their values out of cdk.json). A wrong or missing value fails `cdk synth` with a
 * message that names the key and says what is expected.
 *
 * From it the stack produces the `UPLOCK_CONFIG` JSON each handler reads (lambdas/config.ts); its
 * type, `RuntimeConfigDocument`, is declared once in lambdas/contract.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { PAYMENT_MODES, type RuntimeConfigDocument } from '../lambdas/contract';

const extension = z.string({ error: 'expected a lower-case file extension with its dot, like ".csv"' }).check(
  z.regex(/^\.[a-z0-9]{1,10}$/, 'expected a lower-case file extension with its dot, like ".csv"'),
);
const positiveInt = (what: string) =>
  z.int({ error: `expected a positive whole number (${what})` }).check(z.positive(`expected a positive whole number (${what})`));
const nonEmpty = (what: string, max: number) =>
  z
    .string({ error: `expected ${what}` })
    .check(z.minLength(1, `expected ${what}, not an empty string`), z.maxLength(max, `expected ${what}, at most ${max} characters`));
const hostname = z
  .string({ error: 'expected a host name like "files.example.com"' })
  .check(z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'expected a lower-case host name like "files.example.com"'));

/** Five GiB: the largest object a single presigned POST can upload to S3. */
const MAX_POST_BYTES = 5 * 1024 ** 3;

export const deployConfigSchema = z.strictObject(
  {
    /** From address of every email; SES must have it (or its domain) verified. */
    senderEmail: z.email('expected an email address the pipeline sends from, like "orders@example.com"'),
    /**
     * Verify the whole domain in SES instead of the single address (DKIM records to publish; with
     * `hostedZone` they are published for you). Must be the domain of `senderEmail`.
     * @default - the address alone is the SES identity
     */
    senderDomain: z.optional(hostname),
    price: z.strictObject(
      {
        amount: positiveInt('the price in minor units, e.g. 500 for $5.00'),
        currency: z
          .string({ error: 'expected a lower-case ISO 4217 currency code like "usd"' })
          .check(z.regex(/^[a-z]{3}$/, 'expected a lower-case ISO 4217 currency code like "usd"')),
      },
      { error: 'expected an object {amount, currency}, e.g. {"amount": 500, "currency": "usd"}' },
    ),
    product: z.strictObject(
      {
        name: nonEmpty('the product name shown to customers', 120),
        description: z.string({ error: 'expected a product description' }).check(z.maxLength(500, 'expected at most 500 characters')),
      },
      { error: 'expected an object {name, description}' },
    ),
    maxUploadBytes: positiveInt('bytes').check(z.maximum(MAX_POST_BYTES, `expected at most ${MAX_POST_BYTES} bytes (5 GiB, the presigned POST limit)`)),
    acceptedExtensions: z.array(extension, { error: 'expected a list of extensions like [".csv"]' }).check(z.minLength(1, 'expected at least one extension')),
    downloadLimit: positiveInt('downloads per paid order'),
    linkTtlHours: z.number({ error: 'expected a positive number of hours' }).check(z.positive('expected a positive number of hours')),
    retentionDays: positiveInt('days uploads, results and previews are kept'),
    jobRuntime: z._default(z.enum(['lambda', 'fargate'], 'expected "lambda" or "fargate"'), 'lambda'),
    /**
     * An operator's job folder (docs/jobs.md), relative to the project: built into a container
     * image with uplock's job runner. @default - the built-in data-profile job
     */
    job: z.optional(z.string({ error: 'expected the path of a job folder' }).check(z.minLength(1, 'expected the path of a job folder'))),
    /** Custom domain for the site; needs `certificateArn`. */
    domainName: z.optional(hostname),
    /** ACM certificate for `domainName`; CloudFront only takes certificates from us-east-1. */
    certificateArn: z.optional(
      z
        .string({ error: 'expected an ACM certificate ARN' })
        .check(
          z.regex(
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/,
            'expected an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)',
          ),
        ),
    ),
    /** Route 53 zone of `domainName`: when set, the alias records are created for you. */
    hostedZone: z.optional(
      z.strictObject({
        id: z.string({ error: 'expected a hosted zone id like "Z0123456789ABC"' }).check(z.regex(/^Z[A-Z0-9]{1,32}$/, 'expected a hosted zone id like "Z0123456789ABC"')),
        name: hostname,
      }),
    ),
    /** Alarm notifications go to this address (SNS asks it to confirm). @default - no subscription */
    alarmEmail: z.optional(z.email('expected an email address for alarm notifications')),
    /** API Gateway default-stage throttling for the whole API. */
    apiThrottle: z._default(
      z.strictObject({
        rateLimit: positiveInt('requests per second'),
        burstLimit: positiveInt('requests'),
      }),
      { rateLimit: 50, burstLimit: 100 },
    ),
    stripe: z.strictObject(
      {
        paymentLinkId: z.optional(
          z.string({ error: 'expected a Payment Link id' }).check(z.regex(/^plink_[A-Za-z0-9]+$/, 'expected a Payment Link id like "plink_1AbC..."')),
        ),
        paymentLinkUrl: z.optional(z.url('expected the Payment Link URL, like "https://buy.stripe.com/..."')),
        livemode: z._default(z.boolean('expected true (live keys) or false (test mode)'), false),
        /**
         * How customers pay: the Payment Link, or a Checkout Session the API creates per order at the
         * deploy-time Price (`priceId` from the Stripe wiring).
         * @default 'payment-link'
         */
        paymentMode: z._default(z.enum(PAYMENT_MODES, 'expected "payment-link" or "checkout-session"'), 'payment-link'),
        /** Existing Secrets Manager secret holding the Stripe secret key. @default - the stack creates one */
        secretKeySecretName: z.optional(nonEmpty('a Secrets Manager secret name', 512)),
        /** Existing Secrets Manager secret holding the webhook signing secret. @default - the stack creates one */
        webhookSecretSecretName: z.optional(nonEmpty('a Secrets Manager secret name', 512)),
        /** Partner event bus of a Stripe event destination (`aws.partner/stripe.com/...`). @default - none */
        eventBusName: z.optional(
          z
            .string({ error: 'expected an EventBridge partner bus name' })
            .check(z.regex(/^aws\.partner\/stripe\.com\/[A-Za-z0-9_./-]+$/, 'expected a Stripe partner event bus name like "aws.partner/stripe.com/ed_..."')),
        ),
      },
      { error: 'expected an object with the Stripe settings, at least {"livemode": false}' },
    ),
  },
  { error: 'expected an object' },
);

export type DeployConfig = z.infer<typeof deployConfigSchema>;

export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

const SOURCE = 'uplock deploy config (cdk.json context "uplock" / uplock.config.json)';

/** Validate; the error lists every bad key with what is expected. */
export function parseDeployConfig(raw: unknown): DeployConfig {
  const result = deployConfigSchema.safeParse(raw);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.') || '(root)';
      // Unknown keys are usually typos of a real key: say which ones.
      const message =
        issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
      problems.push(`${key}: ${message}`);
    }
    throw new DeployConfigError(`${SOURCE} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  const config = result.data;
  // Rules that span keys: checked after the shape so each message can assume valid values.
  if (config.domainName && !config.certificateArn) problems.push('certificateArn: expected an ACM certificate ARN (us-east-1) because domainName is set');
  if (config.certificateArn && !config.domainName) problems.push('domainName: expected the custom domain the certificate is for, because certificateArn is set');
  if (config.hostedZone && !config.domainName) problems.push('domainName: expected a custom domain because hostedZone is set');
  if (config.hostedZone && config.domainName && !isWithin(config.domainName, config.hostedZone.name)) {
    problems.push(`hostedZone.name: expected the zone of domainName "${config.domainName}"`);
  }
  if (config.senderDomain && config.senderEmail.split('@')[1]?.toLowerCase() !== config.senderDomain) {
    problems.push(`senderDomain: expected the domain of senderEmail "${config.senderEmail}"`);
  }
  const unaccepted = config.acceptedExtensions.filter((e, i, all) => all.indexOf(e) !== i);
  if (unaccepted.length > 0) problems.push(`acceptedExtensions: expected each extension once, repeated: ${unaccepted.join(', ')}`);
  if (problems.length > 0) throw new DeployConfigError(`${SOURCE} is invalid:\n  - ${problems.join('\n  - ')}`);
  return config;
}

function isWithin(domain: string, zone: string): boolean {
  const z = zone.replace(/\.$/, '');
  return domain === z || domain.endsWith(`.${z}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Later sources win key by key, so uplock.config.json only needs the values it changes. */
export function mergeConfigSources(...sources: unknown[]): unknown {
  let merged: unknown = undefined;
  for (const source of sources) {
    if (source === undefined) continue;
    merged = isPlainObject(merged) && isPlainObject(source) ? mergeObjects(merged, source) : source;
  }
  return merged;
}

function mergeObjects(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeObjects(prev, value) : value;
  }
  return out;
}

/**
 * Read the context value (from cdk.json or `-c`) and the optional override file, then validate.
 * `contextValue` may arrive as a JSON string when given on the command line.
 */
export function loadDeployConfig(contextValue: unknown, overrideFile?: string): DeployConfig {
  let context = contextValue;
  if (typeof context === 'string') {
    try {
      context = JSON.parse(context);
    } catch {
      throw new DeployConfigError(`${SOURCE}: the context value "uplock" is a string that is not JSON`);
    }
  }
  if (context === undefined && !(overrideFile && existsSync(overrideFile))) {
    throw new DeployConfigError(`${SOURCE}: no config found: add the "uplock" object to cdk.json "context" or create uplock.config.json`);
  }
  let fileValue: unknown;
  if (overrideFile && existsSync(overrideFile)) {
    try {
      fileValue = JSON.parse(readFileSync(overrideFile, 'utf8'));
    } catch (err) {
      throw new DeployConfigError(`${SOURCE}: ${overrideFile} is not valid JSON (${(err as Error).message})`);
    }
  }
  return parseDeployConfig(mergeConfigSources(context, fileValue));
}

/**
 * What the handlers read from `UPLOCK_CONFIG`: the one declaration in lambdas/contract.ts. Values
 * may be CDK tokens (table name, site URL); the stack serialises it with `Stack.toJsonString`.
 * Secret values never appear here: only the ids of Secrets Manager secrets.
 */
export type RuntimeConfigJson = RuntimeConfigDocument;

/**
 * What the deploy-time Stripe wiring reports (custom resource attributes, tokens at synth). Each is
 * '' while the Stripe key is not in Secrets Manager yet.
 */
export interface StripeWiringIds {
  paymentLinkId: string;
  paymentLinkUrl: string;
  priceId: string;
}

/**
 * The part of the runtime config every handler gets; bindings add names and secret ids to it.
 * Payment Link id and URL set in the deploy config win over the wired ones; the Price always comes
 * from the wiring (checkout-session mode charges it).
 */
export function baseRuntimeConfig(
  config: DeployConfig,
  resources: { region: string; tableName: string; bucketName: string; siteUrl: string },
  wired?: StripeWiringIds,
): RuntimeConfigJson {
  const paymentLinkId = config.stripe.paymentLinkId ?? wired?.paymentLinkId;
  const paymentLinkUrl = config.stripe.paymentLinkUrl ?? wired?.paymentLinkUrl;
  return {
    region: resources.region,
    // The handlers' schema requires both names even where the function is granted nothing on them
    // (get-config): a name grants no access.
    tableName: resources.tableName,
    bucketName: resources.bucketName,
    siteUrl: resources.siteUrl,
    product: { ...config.product },
    price: { ...config.price },
    maxUploadBytes: config.maxUploadBytes,
    acceptedExtensions: [...config.acceptedExtensions],
    downloadLimit: config.downloadLimit,
    linkTtlHours: config.linkTtlHours,
    retentionDays: config.retentionDays,
    senderEmail: config.senderEmail,
    stripe: {
      paymentMode: config.stripe.paymentMode,
      ...(paymentLinkId !== undefined ? { paymentLinkId } : {}),
      ...(paymentLinkUrl !== undefined ? { paymentLinkUrl } : {}),
      ...(wired ? { priceId: wired.priceId } : {}),
      livemode: config.stripe.livemode,
    },
  };
}
