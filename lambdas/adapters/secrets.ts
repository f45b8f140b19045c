/**
 * Secret values (Stripe API key, webhook signing secret). In AWS they live in Secrets Manager and
 * are read once per container, on first use, so cold starts that never need them do not pay for
 * them. Locally the config names no secret and the throwaway test values come from the env.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { localSecrets, type RuntimeConfig } from '../config';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<string>>();

async function fetchSecret(region: string, secretId: string): Promise<string> {
  client ??= new SecretsManagerClient({ region });
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = out.SecretString?.trim();
  if (!value) throw new Error(`secret ${secretId} is empty: put the value in Secrets Manager (docs/deploy.md)`);
  return value;
}

function resolve(config: RuntimeConfig, secretId: string | undefined, local: string | undefined, what: string): Promise<string> {
  if (secretId) {
    let pending = cache.get(secretId);
    if (!pending) {
      pending = fetchSecret(config.region, secretId);
      // A failed read must not poison the container: forget it so the next call tries again.
      pending.catch(() => cache.delete(secretId));
      cache.set(secretId, pending);
    }
    return pending;
  }
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
