/**
 * What every AWS client shares: the region, the credentials, and, for the local stand-ins only,
 * an endpoint and throwaway credentials. Each adapter builds its own client (in its own module),
 * so a handler's bundle carries only the clients it uses.
 */
import { awsCredentialSource, type RuntimeConfig } from '../config';
import { credentialsFrom, LOCAL_CREDENTIALS, type CredentialsProvider } from './aws-http';

/** Build once per process: handlers call these at module scope. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

// One provider per process, so a Fargate task fetches its role credentials once, not per client.
const roleCredentials = once((): CredentialsProvider => credentialsFrom(awsCredentialSource()));
const localCredentials: CredentialsProvider = () => Promise.resolve(LOCAL_CREDENTIALS);

export function clientOptions(config: RuntimeConfig, endpoint: string | undefined): { region: string; endpoint?: string; credentials: CredentialsProvider } {
  // Local stand-ins ignore credentials, but s3rver checks the key id; AWS uses the role's.
  return endpoint ? { region: config.region, endpoint, credentials: localCredentials } : { region: config.region, credentials: roleCredentials() };
}
