/** The presigned POST the browser uploads with (create-order only). */
import { loadConfig } from '../config';
import { uploadKey, type OrderId } from '../core/ids';
import type { PresignedUpload, UploadPresigner } from '../ports/blob-store';
import { once } from './clients';
import { FILE_NAME_META, s3Client } from './s3-blob-store';
import type { S3Http } from './s3-http';

export class S3UploadPresigner implements UploadPresigner {
  constructor(
    private readonly s3: S3Http,
    private readonly bucket: string,
  ) {}

  async presignUpload(
    orderId: OrderId,
    opts: { fileName: string; maxBytes: number; contentType?: string; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    const key = uploadKey(orderId);
    const fields: Record<string, string> = { [`x-amz-meta-${FILE_NAME_META}`]: encodeURIComponent(opts.fileName) };
    if (opts.contentType) fields['Content-Type'] = opts.contentType;
    const { url, fields: signed } = await this.s3.presignPost({
      bucket: this.bucket,
      key,
      // The policy pins the key, the metadata and the size range: the browser can upload exactly
      // one object of at most maxBytes to this order's slot and nothing else.
      conditions: [['content-length-range', 1, opts.maxBytes], ...Object.entries(fields).map(([k, v]) => ({ [k]: v }))],
      fields,
      expiresInSeconds: opts.expiresInSeconds,
    });
    return { url, fields: signed, expiresAt: new Date(Date.now() + opts.expiresInSeconds * 1000).toISOString() };
  }
}

export const uploadPresigner = once((): UploadPresigner => new S3UploadPresigner(s3Client(), loadConfig().bucketName));
