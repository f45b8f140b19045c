/** The private data bucket: uploads in, previews and results out. */
import type { OrderId } from '../core/ids';

export interface PresignedUpload {
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly expiresAt: string;
}

export interface InputObject {
  readonly body: AsyncIterable<Uint8Array>;
  readonly size: number;
  readonly fileName?: string;
}

export interface BlobStore {
  presignUpload(orderId: OrderId, opts: { fileName: string; maxBytes: number; contentType?: string; expiresInSeconds: number }): Promise<PresignedUpload>;
  getInput(key: string): Promise<InputObject | undefined>;
  putResult(orderId: OrderId, name: string, body: string | Uint8Array, contentType: string): Promise<void>;
  putPreview(orderId: OrderId, preview: unknown): Promise<void>;
  getPreview(orderId: OrderId): Promise<unknown>;
  presignDownload(orderId: OrderId, name: string, downloadName: string, expiresInSeconds: number): Promise<string>;
}
