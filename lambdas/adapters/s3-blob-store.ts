/** BlobStore on the private data bucket (ARCHITECTURE.md §4). */
import { previewKey, resultKey, type OrderId } from '../core/ids';
import type { BlobStore, InputObject } from '../ports/blob-store';
import { loadConfig } from '../config';
import { clientOptions, once } from './clients';
import { S3Http } from './s3-http';

/** S3 user metadata must be ASCII: the original file name travels URI-encoded. */
export const FILE_NAME_META = 'original-name';

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Http,
    private readonly bucket: string,
  ) {}

  async getInput(key: string): Promise<InputObject | undefined> {
    const out = await this.s3.getObject(this.bucket, key);
    if (!out) return undefined;
    const encoded = out.metadata[FILE_NAME_META];
    let fileName: string | undefined;
    try {
      fileName = encoded ? decodeURIComponent(encoded) : undefined;
    } catch {
      fileName = undefined;
    }
    return { body: out.body, size: out.contentLength, ...(fileName ? { fileName } : {}) };
  }

  async reannounceInput(key: string): Promise<void> {
    const head = await this.s3.getObject(this.bucket, key);
    if (!head) return;
    // Only the headers are wanted; the body stays unread.
    await (head.body as unknown as ReadableStream | undefined)?.cancel?.();
    await this.s3.copyOntoItself(this.bucket, key, head.metadata);
  }

  async putResult(orderId: OrderId, name: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.putObject(this.bucket, resultKey(orderId, name), body, contentType);
  }

  async putPreview(orderId: OrderId, preview: unknown): Promise<void> {
    await this.s3.putObject(this.bucket, previewKey(orderId), JSON.stringify(preview), 'application/json');
  }

  async getPreview(orderId: OrderId): Promise<unknown> {
    const out = await this.s3.getObject(this.bucket, previewKey(orderId));
    const text = await out?.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  async hasResult(orderId: OrderId, name: string): Promise<boolean> {
    // A GET read to the end (result files other than the primary are small: report.json); a
    // HEAD is what this wants once the S3 client has one.
    const out = await this.s3.getObject(this.bucket, resultKey(orderId, name));
    if (!out) return false;
    await out.text();
    return true;
  }

  presignDownload(orderId: OrderId, name: string, downloadName: string, expiresInSeconds: number): Promise<string> {
    const ascii = downloadName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return this.s3.presignGet(this.bucket, resultKey(orderId, name), expiresInSeconds, {
      'response-content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(downloadName)}`,
    });
  }
}

/** The process-wide S3 client on the data bucket's region (path-style locally). */
export const s3Client = once((): S3Http => {
  const config = loadConfig();
  return new S3Http(clientOptions(config, config.endpoints.s3));
});

export const blobStore = once((): BlobStore => new S3BlobStore(s3Client(), loadConfig().bucketName));
