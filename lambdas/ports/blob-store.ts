/** The private data bucket: uploads in, previews and results out. */
import type { OrderId } from '../core/ids';
import type { ArtifactBody } from '../core/job';

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

/** Kept apart from BlobStore: only the create-order handler signs uploads (and carries that code). */
export interface UploadPresigner {
  presignUpload(orderId: OrderId, opts: { fileName: string; maxBytes: number; contentType?: string; expiresInSeconds: number }): Promise<PresignedUpload>;
}

export interface BlobStore {
  getInput(key: string): Promise<InputObject | undefined>;
  /** Announce the upload again ("Object Created"), so the job's trigger runs it again (core/job.ts resumeExpiredJobs). */
  reannounceInput(key: string): Promise<void>;
  putResult(orderId: OrderId, name: string, body: ArtifactBody, contentType: string): Promise<void>;
  putPreview(orderId: OrderId, preview: unknown): Promise<void>;
  getPreview(orderId: OrderId): Promise<unknown>;
  presignDownload(orderId: OrderId, name: string, downloadName: string, expiresInSeconds: number): Promise<string>;
  /** Whether the order has a result file of that name (GET /d/{token}/{file}); absent: only the primary is served. */
  hasResult?(orderId: OrderId, name: string): Promise<boolean>;
  /** Every object key of the order (upload, results of every revision, preview): what an erase removes. */
  orderObjects(orderId: OrderId): Promise<string[]>;
  deleteObjects(keys: readonly string[]): Promise<void>;
}
