/**
 * Builds the adapters once per process from the one config object. Handlers import `deps` at
 * module scope, so a warm Lambda reuses clients and connections.
 */
import { loadConfig, type RuntimeConfig } from '../config';
import type { DeliverySettings } from '../core/delivery';
import type { ExpectedPayment } from '../core/payment';
import type { BlobStore } from '../ports/blob-store';
import type { Mailer } from '../ports/mailer';
import type { OrderStore } from '../ports/order-store';
import type { Payments } from '../ports/payments';
import { makeDynamo, makeS3, makeSes } from './clients';
import { DynamoOrderStore } from './dynamo-order-store';
import { S3BlobStore } from './s3-blob-store';
import { SesMailer } from './ses-mailer';
import { StripePayments } from './stripe-payments';

export interface Deps {
  readonly config: RuntimeConfig;
  readonly store: OrderStore;
  readonly blobs: BlobStore;
  readonly mailer: Mailer;
  readonly payments: Payments;
  readonly delivery: DeliverySettings;
  readonly expectedPayment: ExpectedPayment;
}

let built: Deps | undefined;

export function deps(): Deps {
  if (built) return built;
  const config = loadConfig();
  built = {
    config,
    store: new DynamoOrderStore(makeDynamo(config), config.tableName),
    blobs: new S3BlobStore(makeS3(config), config.bucketName),
    mailer: new SesMailer(makeSes(config), config.senderEmail),
    payments: new StripePayments(config),
    delivery: {
      siteUrl: config.siteUrl,
      productName: config.product.name,
      downloadLimit: config.downloadLimit,
      linkTtlHours: config.linkTtlHours,
    },
    expectedPayment: {
      amount: config.price.amount,
      currency: config.price.currency,
      livemode: config.stripe.livemode,
      ...(config.stripe.paymentLinkId ? { paymentLinkId: config.stripe.paymentLinkId } : {}),
    },
  };
  return built;
}
