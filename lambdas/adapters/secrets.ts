/**
 * Secret values (Stripe API key, webhook signing secret). In AWS they live in Secrets Manager and
 * are read once per container, on first use, so cold starts that never need them do not pay for
 * them. Locally the config names no secret and the throwaway test values come from the env.
 */
import { localSecrets, type RuntimeConfig } from '../config';
import { AwsHttpClient } from './aws-http';
import { clientOptions } from './clients';

let client: AwsHttpClient | undefined;
const cache = new Map<string, Promise<string>>();

/** GetSecretValue over Secrets Manager's JSON protocol. */
async function fetchSecret(config: RuntimeConfig, secretId: string): Promise<string> {
  // Secrets Manager has no local stand-in: always the regional endpoint with the role's credentials.
  const { region, credentials } = clientOptions(config, undefined);
  client ??= new AwsHttpClient({ service: 'secretsmanager', region, credentials });
  const response = await client.send({
    method: 'POST',
    url: `https://secretsmanager.${region}.amazonaws.com/`,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body: JSON.stringify({ SecretId: secretId }),
  });
  const out = (await response.json()) as { SecretString?: string };
  const value = out.SecretString?.trim();
  if (!value) throw new Error(`secret ${secretId} is empty: put the value in Secrets Manager (docs/deploy.md)`);
  return value;
}

function resolve(config: RuntimeConfig, secretId: string | undefined, local: string | undefined, what: string): Promise<string> {
  if (secretId) {
    let pending = cache.get(secretId);
    if (!pending) {
      pending = fetchSecret(config, secretId);
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
