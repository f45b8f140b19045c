/**
 * SDK clients, built once per process from the one config object. Locally the endpoints point
 * at the stand-ins; in AWS they are absent and the SDK uses the region's defaults.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { RuntimeConfig } from '../config';

// Local stand-ins ignore credentials, but s3rver checks the key id; AWS uses the role's.
const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function makeDynamo(config: RuntimeConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb, credentials: localCredentials } : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function makeS3(config: RuntimeConfig): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoints.s3
      ? {
          endpoint: config.endpoints.s3,
          credentials: localCredentials,
          // s3rver serves path-style only and stores aws-chunked bodies verbatim (ARCHITECTURE.md §6).
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}

export function makeSes(config: RuntimeConfig): SESv2Client {
  return new SESv2Client({
    region: config.region,
    ...(config.endpoints.ses ? { endpoint: config.endpoints.ses, credentials: localCredentials } : {}),
  });
}
