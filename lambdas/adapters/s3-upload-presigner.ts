/**
 * The presigned POST the browser uploads with (create-order only), from
 * `@aws-sdk/s3-presigned-post`. Kept apart from s3-blob-store.ts so that only create-order
 * carries the POST-policy code, and create-order does not carry GetObject's.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { loadConfig } from '../config';
import { uploadKey, type OrderId } from '../core/ids';
import type { PresignedUpload, UploadPresigner } from '../ports/blob-store';
import { once, s3Settings } from './clients';

/** S3 user metadata must be ASCII: the original file name travels URI-encoded (read back by s3-blob-store.ts). */
const FILE_NAME_FIELD = 'x-amz-meta-original-name';

export class S3UploadPresigner implements UploadPresigner {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async presignUpload(
    orderId: OrderId,
    opts: { fileName: string; maxBytes: number; contentType?: string; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    const fields: Record<string, string> = { [FILE_NAME_FIELD]: encodeURIComponent(opts.fileName) };
    if (opts.contentType) fields['Content-Type'] = opts.contentType;
    const { url, fields: signed } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: uploadKey(orderId),
      // The policy pins the key, the metadata and the size range (the SDK adds one condition per
      // field, the key and the bucket): the browser can upload exactly one object of at most
      // maxBytes to this order's slot and nothing else.
      Conditions: [['content-length-range', 1, opts.maxBytes]],
      Fields: fields,
      Expires: opts.expiresInSeconds,
    });
    return { url, fields: signed, expiresAt: new Date(Date.now() + opts.expiresInSeconds * 1000).toISOString() };
  }
}

/** Its own S3 client, built from the same settings as s3-blob-store.ts's (create-order has no BlobStore). */
export const uploadPresigner = once((): UploadPresigner => {
  const config = loadConfig();
  return new S3UploadPresigner(new S3Client(s3Settings(config)), config.bucketName);
});
