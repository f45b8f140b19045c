/**
 * Settings the core functions take, derived once from the one config object. No adapters here:
 * handlers import the adapters they use (orderStore, blobStore, mailer, payments) directly, so
 * each bundle carries only its own SDKs.
 */
import type { RuntimeConfig } from '../config';
import type { DeliverySettings } from '../core/delivery';
import type { JobSettings } from '../core/job';
import type { ExpectedPayment } from '../core/payment';

export const deliverySettings = (config: RuntimeConfig): DeliverySettings => ({
  siteUrl: config.siteUrl,
  productName: config.product.name,
  downloadLimit: config.downloadLimit,
  linkTtlHours: config.linkTtlHours,
  claimTtlMs: config.deliveryClaimSeconds * 1000,
});

/**
 * The claim length config sets for a run of the processor (`job.claimSeconds`), for the job
 * (adapters/job-deps.ts) and `uplock orders rerun` (bin/commands/order-actions.ts) alike; both hand
 * it to core/job.ts claimDurationMs, which falls back to the processor's time limit plus the margin.
 */
export const jobClaimSettings = (config: RuntimeConfig): Pick<JobSettings, 'claimMs'> =>
  config.job.claimSeconds ? { claimMs: config.job.claimSeconds * 1000 } : {};

export const expectedPayment = (config: RuntimeConfig): ExpectedPayment => ({
  amount: config.price.amount,
  currency: config.price.currency,
  livemode: config.stripe.livemode,
  ...(config.stripe.paymentLinkId ? { paymentLinkId: config.stripe.paymentLinkId } : {}),
});
