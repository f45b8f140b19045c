/**
 * The runtime config of the local cloud, built in one place for the two programs that need it:
 * local/cloud.ts gives it to the handlers it runs (`npm start`, the integration tests), and the
 * operator's tool (bin/target.ts) builds the same one to reach a running `npm start` with the same
 * adapters. Ports come from the same flags and variables in both (`--port` / `UPLOCK_PORT`, …).
 *
 * No emulator imports here: the tool loads this without starting anything.
 */
import type { RuntimeConfig } from '../lambdas/config';
import { DEFAULT_PROFILE_MEMORY_BUDGET_MB } from '../lambdas/contract';

export type Service = 'gateway' | 'dynamodb' | 's3' | 'ses' | 'stripe';

export const DEFAULT_PORTS: Record<Service, number> = { gateway: 3000, dynamodb: 4567, s3: 4568, ses: 8005, stripe: 12111 };

/** The flag and variable that set each port, for `npm start` and `uplock` alike. */
export const PORT_SETTINGS: readonly { service: Service; flag: string; env: string }[] = [
  { service: 'gateway', flag: 'port', env: 'UPLOCK_PORT' },
  { service: 'dynamodb', flag: 'dynamodb-port', env: 'UPLOCK_DYNAMODB_PORT' },
  { service: 's3', flag: 's3-port', env: 'UPLOCK_S3_PORT' },
  { service: 'ses', flag: 'ses-port', env: 'UPLOCK_SES_PORT' },
  { service: 'stripe', flag: 'stripe-port', env: 'UPLOCK_STRIPE_PORT' },
];

/** The data directory's variable (`--data`). */
export const DATA_DIR_ENV = 'UPLOCK_DATA_DIR';

export const LOCAL_TABLE = 'uplock-local';
export const LOCAL_BUCKET = 'uplock-local-data';
/** The stand-in accepts any key; this one is not a secret. */
export const LOCAL_STRIPE_KEY = 'sk_test_uplock_local';
/** The tag the local Stripe wiring puts on its Product, Price and Payment Link. */
export const LOCAL_STRIPE_TAG = 'local';

export const DEFAULT_PRODUCT = {
  name: 'Data profile report',
  // No file formats named here: the upload page lists them from acceptedExtensions, in the reader's language.
  description: 'Every column of your data profiled: types, missing values, distributions, outliers and warnings.',
};
export const DEFAULT_PRICE = { amount: 900, currency: 'usd' };

export class PortSettingError extends Error {
  override name = 'PortSettingError';
}

/**
 * Ports from flags, then variables, then the defaults. A bad value throws naming the flag and the
 * variable.
 */
export function resolvePorts(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): Record<Service, number> {
  const ports = { ...DEFAULT_PORTS };
  for (const { service, flag, env: name } of PORT_SETTINGS) {
    const given = flags[flag];
    const raw = typeof given === 'string' ? given : env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new PortSettingError(`--${flag} / ${name} must be a port number, got "${raw}"`);
    ports[service] = value;
  }
  return ports;
}

/** Deep-partial overrides of the runtime config (tests shrink limits, change the price…). */
export type ConfigOverrides = Partial<Omit<RuntimeConfig, 'stripe' | 'price' | 'product'>> & {
  price?: Partial<RuntimeConfig['price']>;
  product?: Partial<RuntimeConfig['product']>;
  stripe?: Partial<RuntimeConfig['stripe']>;
};

export interface LocalConfigInput {
  /** An operator's job folder (docs/jobs.md) the job runs instead of the built-in data profile. */
  jobFolder?: string;
  /** Where each service listens (the gateway's URL is the site URL). */
  readonly urls: { site: string; s3: string; dynamodb: string; ses: string; stripe?: string; events?: string };
  /** What the Stripe wiring found or created (against the stand-in or real test mode). */
  readonly wiring: { paymentLinkId: string; paymentLinkUrl: string; priceId: string };
  /** The default processor's extensions, so the page and the job agree. */
  readonly acceptedExtensions: readonly string[];
  readonly overrides?: ConfigOverrides;
}

export function localProductAndPrice(overrides?: ConfigOverrides): { product: RuntimeConfig['product']; price: RuntimeConfig['price'] } {
  return { product: { ...DEFAULT_PRODUCT, ...overrides?.product }, price: { ...DEFAULT_PRICE, ...overrides?.price } };
}

export function localRuntimeConfig(input: LocalConfigInput): RuntimeConfig {
  const { urls, wiring, overrides } = input;
  return {
    region: 'us-east-1',
    tableName: LOCAL_TABLE,
    bucketName: LOCAL_BUCKET,
    siteUrl: urls.site,
    endpoints: { s3: urls.s3, dynamodb: urls.dynamodb, ses: urls.ses, ...(urls.stripe ? { stripe: urls.stripe } : {}), ...(urls.events ? { events: urls.events } : {}) },
    maxUploadBytes: 50 * 1024 * 1024,
    downloadLimit: 5,
    linkTtlHours: 168,
    retentionDays: 30,
    senderEmail: 'results@uplock.local',
    deliveryClaimSeconds: 300,
    profileMemoryBudgetMb: DEFAULT_PROFILE_MEMORY_BUDGET_MB,
    ...overrides,
    ...localProductAndPrice(overrides),
    acceptedExtensions: [...(overrides?.acceptedExtensions ?? input.acceptedExtensions)],
    job: { maxAttempts: 3, maxLogBytes: 1024 * 1024, ...overrides?.job, ...(input.jobFolder ? { folder: input.jobFolder } : {}) },
    stripe: {
      paymentMode: 'payment-link',
      paymentLinkId: wiring.paymentLinkId,
      paymentLinkUrl: wiring.paymentLinkUrl,
      priceId: wiring.priceId,
      livemode: false,
      signatureToleranceSeconds: 300,
      ...overrides?.stripe,
    },
  };
}
