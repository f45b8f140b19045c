/**
 * The key download tokens are derived with (core/tokens.ts deliveryToken): HKDF over the Stripe
 * secret key, which every function that delivers already holds (Secrets Manager in AWS, the
 * environment locally), so there is no second secret to provision or leak. Rotating the Stripe
 * key changes the links of later deliveries only: links already mailed are looked up by their
 * stored hash, not recomputed.
 */
import { hkdf } from 'node:crypto';
import type { RuntimeConfig } from '../config';
import { stripeSecretKey } from './secrets';

let derived: Promise<Uint8Array> | undefined;

export function tokenKey(config: RuntimeConfig): () => Promise<Uint8Array> {
  return () => {
    derived ??= stripeSecretKey(config).then(
      (secret) =>
        new Promise<Uint8Array>((resolve, reject) =>
          hkdf('sha256', secret, 'uplock', 'download-token-key', 32, (error, key) => (error ? reject(error) : resolve(new Uint8Array(key)))),
        ),
    );
    // A failed secret read must not poison the container.
    derived.catch(() => (derived = undefined));
    return derived;
  };
}
