/**
 * The credential provider of uplock's bundles, in place of the SDK's whole default chain.
 *
 * Every AWS SDK client imports `defaultProvider` from `@aws-sdk/credential-provider-node` whether
 * or not credentials are passed to it, and that chain brings SSO, INI profiles, web identity,
 * `credential_process` and login, with the STS/SSO clients of `@aws-sdk/nested-clients`: about
 * 100 KiB minified in every bundle (docs/architecture.md §9), none of it used where the bundles
 * run. So the bundler aliases that package to this module (lib/bundling.ts `credentialsAlias`),
 * as the SDK's maintainers suggest for Lambda (aws/aws-sdk-js-v3 issues 5516 and 6087).
 *
 * Where uplock's bundles run, the default chain would answer from one of two links, and this
 * provider keeps exactly those two, in the same order, from the SDK's own packages:
 * - environment variables (`@aws-sdk/credential-provider-env`): Lambda puts the execution role's
 *   keys in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, zip and container
 *   image functions alike;
 * - the container credentials endpoint (`@aws-sdk/credential-provider-http`): a Fargate task
 *   (jobRuntime "fargate", the job image's task) gets its task role from
 *   `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, and Lambda SnapStart-style restores from
 *   `AWS_CONTAINER_CREDENTIALS_FULL_URI`; both expire and are fetched again before they do.
 * EC2 instance metadata, profiles and SSO are left out: nothing of uplock's bundles runs where
 * they would be the source. The local cloud and the tests run unbundled with explicit keys
 * (adapters/clients.ts), and the `uplock` tool keeps the full default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';

type Init = Parameters<typeof fromHttp>[0] & Parameters<typeof fromEnv>[0];
type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** Refresh this long before expiry, as the SDK's default chain does. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

const CONTAINER_URIS = ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'] as const;

async function resolveCredentials(init: Init): Promise<Credentials> {
  if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) return fromEnv(init)();
  if (CONTAINER_URIS.some((name) => process.env[name])) return fromHttp(init)();
  throw new Error(
    'no AWS credentials: uplock bundles read the Lambda environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI); see lambdas/adapters/runtime-credentials.ts',
  );
}

/** Same name and shape as `@aws-sdk/credential-provider-node`'s export: one answer, shared and reused until near its expiry. */
export const defaultProvider = (init: Init = {}): (() => Promise<Credentials>) => {
  let pending: Promise<Credentials> | undefined;
  return () => {
    if (pending) {
      const current = pending;
      pending = current.then(
        (credentials) => (stale(credentials) ? resolveCredentials(init) : credentials),
        () => resolveCredentials(init),
      );
    } else {
      pending = resolveCredentials(init);
    }
    return pending;
  };
};

const stale = (credentials: Credentials): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_EXPIRY_MS;
