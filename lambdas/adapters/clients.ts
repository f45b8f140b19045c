/**
 * What every SDK client shares: the region, and, for the local stand-ins only, an endpoint and
 * throwaway credentials. Each adapter builds its own client (in its own module), so a handler's
 * bundle carries only the SDKs it uses.
 */
import type { RuntimeConfig } from '../config';

// Local stand-ins ignore credentials, but s3rver checks the key id; AWS uses the role's.
const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function clientOptions(config: RuntimeConfig, endpoint: string | undefined): { region: string; endpoint?: string; credentials?: typeof localCredentials } {
  return { region: config.region, ...(endpoint ? { endpoint, credentials: localCredentials } : {}) };
}

/** Build once per process: handlers call these at module scope. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}
