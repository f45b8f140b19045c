/** BlobStore on the private data bucket (ARCHITECTURE.md §4). */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { previewKey, resultKey, type OrderId } from '../core/ids';
import type { BlobStore, InputObject } from '../ports/blob-store';
import { loadConfig } from '../config';
import { clientOptions, once } from './clients';

/** S3 user metadata must be ASCII: the original file name travels URI-encoded. */
export const FILE_NAME_META = 'original-name';

const isMissing = (error: unknown): boolean => {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async getInput(key: string): Promise<InputObject | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = out.Body as AsyncIterable<Uint8Array> | undefined;
      if (!body) return undefined;
      const encoded = out.Metadata?.[FILE_NAME_META];
      let fileName: string | undefined;
      try {
        fileName = encoded ? decodeURIComponent(encoded) : undefined;
      } catch {
        fileName = undefined;
      }
      return { body, size: out.ContentLength ?? 0, ...(fileName ? { fileName } : {}) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async putResult(orderId: OrderId, name: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: resultKey(orderId, name), Body: body, ContentType: contentType }));
  }

  async putPreview(orderId: OrderId, preview: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: previewKey(orderId),
        Body: JSON.stringify(preview),
        ContentType: 'application/json',
      }),
    );
  }

  async getPreview(orderId: OrderId): Promise<unknown> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: previewKey(orderId) }));
      const text = await out.Body?.transformToString('utf-8');
      return text ? (JSON.parse(text) as unknown) : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  presignDownload(orderId: OrderId, name: string, downloadName: string, expiresInSeconds: number): Promise<string> {
    const ascii = downloadName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: resultKey(orderId, name),
        ResponseContentDisposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(downloadName)}`,
      }),
      { expiresIn: expiresInSeconds },
    );
  }
}

/** The process-wide BlobStore on the data bucket. */
export const s3Client = once((): S3Client => {
  const config = loadConfig();
  const local = config.endpoints.s3;
  return new S3Client({
    ...clientOptions(config, local),
    // s3rver serves path-style only and stores aws-chunked bodies verbatim (ARCHITECTURE.md §6).
    ...(local ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
  });
});

export const blobStore = once((): BlobStore => new S3BlobStore(s3Client(), loadConfig().bucketName));
