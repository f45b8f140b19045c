/**
 * BlobStore on the private data bucket (docs/architecture.md §4), through `@aws-sdk/client-s3`; the
 * download link is a presigned GET from `@aws-sdk/s3-request-presigner`. A missing object
 * (`NoSuchKey`, or `NotFound` where S3 answers without a body) is `undefined`, never an error.
 */
import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { ArtifactBody } from '../core/job';
import { previewKey, resultKey, uploadKey, type OrderId } from '../core/ids';
import type { BlobStore, InputObject } from '../ports/blob-store';
import { loadConfig } from '../config';
import { once, s3Settings } from './clients';

/** S3 user metadata must be ASCII: the original file name travels URI-encoded. */
export const FILE_NAME_META = 'original-name';

/** True when S3 said the object does not exist. */
export const isMissingObject = (error: unknown): boolean => {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /** GetObject with its body unread, or undefined when there is no such object. */
  private async getObject(key: string) {
    try {
      return await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async getInput(key: string): Promise<InputObject | undefined> {
    const out = await this.getObject(key);
    if (!out?.Body) return undefined;
    // The SDK lower-cases user metadata names, as S3 sends them.
    const encoded = out.Metadata?.[FILE_NAME_META];
    let fileName: string | undefined;
    try {
      fileName = encoded ? decodeURIComponent(encoded) : undefined;
    } catch {
      fileName = undefined;
    }
    // In Node the body is the response stream, an async iterable of bytes.
    const body = out.Body as unknown as AsyncIterable<Uint8Array>;
    return { body, size: out.ContentLength ?? 0, ...(fileName ? { fileName } : {}) };
  }

  async reannounceInput(key: string): Promise<void> {
    let head;
    try {
      head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isMissingObject(error)) return;
      throw error;
    }
    // S3 refuses a copy onto itself that changes nothing; replacing the metadata is the change.
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: key,
        CopySource: `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        Metadata: head.Metadata ?? {},
        ...(head.ContentType ? { ContentType: head.ContentType } : {}),
      }),
    );
  }

  /**
   * A streamed body (a command job's result file) goes out as a stream with its length: PutObject
   * needs the length up front, and nothing of it is held in memory beyond the SDK's chunks.
   */
  async putResult(orderId: OrderId, name: string, body: ArtifactBody, contentType: string): Promise<void> {
    const streamed = typeof body !== 'string' && !(body instanceof Uint8Array);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: resultKey(orderId, name),
        ContentType: contentType,
        ...(streamed ? { Body: Readable.from(body.read(), { objectMode: false }), ContentLength: body.size } : { Body: body }),
      }),
    );
  }

  async putPreview(orderId: OrderId, preview: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: previewKey(orderId), Body: JSON.stringify(preview), ContentType: 'application/json' }),
    );
  }

  async getPreview(orderId: OrderId): Promise<unknown> {
    const out = await this.getObject(previewKey(orderId));
    const text = await out?.Body?.transformToString('utf-8');
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  async hasResult(orderId: OrderId, name: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: resultKey(orderId, name) }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw error;
    }
  }

  async orderObjects(orderId: OrderId): Promise<string[]> {
    const keys: string[] = [];
    // The upload and the preview have fixed keys; results are listed (their names are the job's).
    for (const key of [uploadKey(orderId), previewKey(orderId)]) {
      try {
        await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        keys.push(key);
      } catch (error) {
        if (!isMissingObject(error)) throw error;
      }
    }
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `results/${orderId}/`, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async deleteObjects(keys: readonly string[]): Promise<void> {
    // DeleteObjects takes up to 1,000 keys a call; deleting a missing key is not an error.
    for (let i = 0; i < keys.length; i += 1000) {
      const out = await this.s3.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = out.Errors ?? [];
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} object(s): ${failed.map((e) => `${e.Key}: ${e.Code}`).join(', ')}`);
    }
  }

  presignDownload(orderId: OrderId, name: string, downloadName: string, expiresInSeconds: number): Promise<string> {
    // The ASCII name for old clients, the exact one (RFC 6266 filename*) for the rest.
    const ascii = downloadName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: resultKey(orderId, name),
      ResponseContentDisposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(downloadName)}`,
    });
    return getSignedUrl(this.s3, command, { expiresIn: expiresInSeconds });
  }
}

/** The process-wide S3 client on the data bucket's region (path-style locally, see clients.ts). */
export const s3Client = once((): S3Client => new S3Client(s3Settings(loadConfig())));

export const blobStore = once((): BlobStore => new S3BlobStore(s3Client(), loadConfig().bucketName));
