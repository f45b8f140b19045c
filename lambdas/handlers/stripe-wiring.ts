/**
 * CloudFormation custom resource (deploy-time Stripe wiring): with the Stripe key from Secrets
 * Manager, create or update the Product, Price, Payment Link and webhook endpoint, and store the
 * endpoint's signing secret in Secrets Manager. Idempotent across deploys. If the key is not in
 * Secrets Manager yet, the deploy still succeeds with `Wired = false` (docs/deploy.md: put the
 * key, deploy again — or run `npx uplock --stack NAME stripe wire`).
 *
 * On delete nothing is removed from Stripe: payment history and links stay the operator's.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { stripeClient } from '../adapters/stripe-client';
import { isPlaceholderSecret, isStripeKey, webhookSecretAfter, wireStripe, type WiringResult } from '../adapters/stripe-wiring';

const secrets = new SecretsManagerClient({});

interface WiringProperties {
  Tag: string;
  SiteUrl: string;
  ProductName: string;
  ProductDescription?: string;
  PriceAmount: string;
  PriceCurrency: string;
  SecretKeySecretId: string;
  WebhookSecretSecretId: string;
  /** 'false' when the deploy config names the operator's own Payment Link. */
  ManagePaymentLink?: string;
}

async function readSecret(secretId: string): Promise<string | undefined> {
  try {
    return (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString?.trim();
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export interface CustomResourceResult {
  PhysicalResourceId: string;
  Data: Record<string, string>;
}

export async function wireFromSecrets(props: WiringProperties, log: (line: string) => void = console.log): Promise<WiringResult | undefined> {
  const key = await readSecret(props.SecretKeySecretId);
  if (!isStripeKey(key)) {
    log(`Stripe key secret ${props.SecretKeySecretId} holds no Stripe key (sk_… or rk_…): Stripe not wired. Put the key there and deploy again.`);
    return undefined;
  }
  const currentWebhookSecret = await readSecret(props.WebhookSecretSecretId);
  const stripe = stripeClient({ apiKey: key });
  const amount = Number(props.PriceAmount);
  if (!Number.isInteger(amount) || amount <= 0) throw new Error(`PriceAmount must be a positive integer (minor units), got ${props.PriceAmount}`);
  const result = await wireStripe(stripe, {
    tag: props.Tag,
    siteUrl: props.SiteUrl.replace(/\/$/, ''),
    product: { name: props.ProductName, ...(props.ProductDescription ? { description: props.ProductDescription } : {}) },
    price: { amount, currency: props.PriceCurrency },
    rotateWebhookSecret: isPlaceholderSecret(currentWebhookSecret) || !currentWebhookSecret?.startsWith('whsec_'),
    paymentLink: props.ManagePaymentLink !== 'false',
  });
  // The new endpoint's secret first; an old endpoint's stays beside it until it is deleted.
  const webhookSecret = webhookSecretAfter(currentWebhookSecret, result);
  if (webhookSecret !== undefined) {
    await secrets.send(new PutSecretValueCommand({ SecretId: props.WebhookSecretSecretId, SecretString: webhookSecret }));
  }
  for (const change of result.changes) log(change);
  return result;
}

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<CustomResourceResult> => {
  const props = event.ResourceProperties as unknown as WiringProperties;
  const physicalId = `uplock-stripe-${props.Tag}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
  const result = await wireFromSecrets(props);
  return {
    PhysicalResourceId: physicalId,
    Data: {
      Wired: result ? 'true' : 'false',
      PaymentLinkId: result?.paymentLinkId ?? '',
      PaymentLinkUrl: result?.paymentLinkUrl ?? '',
      PriceId: result?.priceId ?? '',
      WebhookEndpointId: result?.webhookEndpointId ?? '',
    },
  };
};
