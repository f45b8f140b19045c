/**
 * Secret values (Stripe API key, webhook signing secret). In AWS they live in Secrets Manager and
 * are read through Powertools Parameters' SecretsProvider on first use, so cold starts that never
 * need them do not pay for them, then served from its cache for SECRET_MAX_AGE_SECONDS, so a
 * rotated value reaches running containers within that time. A failed read is not cached: the
 * next call asks again. Locally the config names no secret and the throwaway test values come
 * from the env.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { localSecrets, type RuntimeConfig } from '../config';
import { awsClientSettings } from './clients';

/** How long a read secret is served from memory before Secrets Manager is asked again. */
export const SECRET_MAX_AGE_SECONDS = 300;

let provider: SecretsProvider | undefined;

async function fetchSecret(config: RuntimeConfig, secretId: string): Promise<string> {
  // Secrets Manager has no local stand-in: always the regional endpoint with the role's credentials.
  provider ??= new SecretsProvider({ clientConfig: awsClientSettings(config.region, undefined) });
  const value = await provider.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new Error(`secret ${secretId} is empty: put the value in Secrets Manager (docs/deploy.md)`);
  return text;
}

function resolve(config: RuntimeConfig, secretId: string | undefined, local: string | undefined, what: string): Promise<string> {
  if (secretId) return fetchSecret(config, secretId);
  if (local) return Promise.resolve(local);
  return Promise.reject(new Error(`${what} is not configured`));
}

export const stripeSecretKey = (config: RuntimeConfig): Promise<string> =>
  resolve(config, config.stripe.secretKeySecretId, localSecrets().stripeSecretKey, 'the Stripe secret key');

/**
 * Webhook signing secrets. Several may be configured (comma-separated) while rotating: an event
 * signed with any of them is accepted.
 */
export const webhookSecrets = async (config: RuntimeConfig): Promise<string[]> =>
  (await resolve(config, config.stripe.webhookSecretSecretId, localSecrets().webhookSecret, 'the webhook signing secret'))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
