/**
 * The settings every AWS SDK client is built with, in one place: the region of the one config
 * object, and, only when the config names a local stand-in's endpoint, that endpoint, throwaway
 * credentials and the stand-ins' quirks (docs/local-cloud.md). In AWS no credentials are given,
 * so the SDK's default chain finds the role's (the Lambda environment, the Fargate task's
 * credentials endpoint).
 *
 * This module imports no SDK package: each adapter builds its own client (in its own module), so
 * a handler's bundle carries only the clients it uses. local/cloud.ts and the tests build theirs
 * from the same functions.
 */
import type { RuntimeConfig } from '../config';

/** Build once per process: handlers call these at module scope. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/**
 * Local stand-ins ignore credentials, except s3rver, which accepts only this key id and secret
 * (and checks signatures with them). Never used against AWS.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** DynamoDB, SES, Secrets Manager, EventBridge: the endpoint and throwaway keys locally, the default chain in AWS. */
export function awsClientSettings(region: string, endpoint: string | undefined): AwsClientSettings {
  return endpoint ? { region, endpoint, credentials: LOCAL_CREDENTIALS } : { region };
}

export interface S3ClientSettings extends AwsClientSettings {
  readonly forcePathStyle?: boolean;
  readonly requestChecksumCalculation?: 'WHEN_REQUIRED';
  readonly responseChecksumValidation?: 'WHEN_REQUIRED';
}

/**
 * S3 against s3rver additionally needs path-style URLs (it serves no virtual hosts) and checksums
 * only where an API requires them: with the SDK's default (`WHEN_SUPPORTED`) a streamed upload
 * goes out `aws-chunked` with a trailing CRC, which s3rver stores verbatim, framing included,
 * and GetObject would validate checksums s3rver never computed. AWS gets the SDK's defaults.
 */
export function s3ClientSettings(region: string, endpoint: string | undefined): S3ClientSettings {
  return endpoint
    ? { ...awsClientSettings(region, endpoint), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
    : awsClientSettings(region, undefined);
}

/** The settings of each service's client, from the one config object. */
export const dynamoSettings = (config: RuntimeConfig): AwsClientSettings => awsClientSettings(config.region, config.endpoints.dynamodb);
export const s3Settings = (config: RuntimeConfig): S3ClientSettings => s3ClientSettings(config.region, config.endpoints.s3);
export const sesSettings = (config: RuntimeConfig): AwsClientSettings => awsClientSettings(config.region, config.endpoints.ses);
export const eventsSettings = (config: RuntimeConfig): AwsClientSettings => awsClientSettings(config.region, config.endpoints.events);
