/**
 * The pipeline's own events on the default EventBridge bus (lambdas/contract.ts): the job's
 * "Job Failed" (the stripe-events function, which holds the Stripe client, refunds a paid order)
 * and the sweeper's re-announcement of an upload whose job was killed (the upload rule runs the
 * job as for S3's own "Object Created"). Neither the job nor the sweeper needs a second client
 * for these: one PutEvents each.
 *
 * PutEvents answers 200 even when it refused an entry, so a refused entry is thrown here: the
 * caller's retry (Lambda's for the job, the next sweep for the sweeper) repeats it.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { loadConfig } from '../config';
import { JOB_FAILED_DETAIL_TYPE, UPLOAD_ANNOUNCED_DETAIL_TYPE, UPLOCK_EVENT_SOURCE, type JobFailedDetail } from '../contract';
import { eventsSettings, once } from './clients';

export interface PipelineEvents {
  /** The job of this order failed (the order is `failed` already). */
  jobFailed(orderId: string): Promise<void>;
  /** Announce the upload under `key` again, as S3 does for a new object. */
  announceUpload(key: string): Promise<void>;
}

/** S3 URL-encodes keys in its events, spaces as '+' (handlers/process-upload.ts decodes them). */
export const encodeS3Key = (key: string): string => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

export class EventBridgePipelineEvents implements PipelineEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly names: { readonly table: string; readonly bucket: string },
  ) {}

  async jobFailed(orderId: string): Promise<void> {
    const detail: JobFailedDetail = { orderId, table: this.names.table };
    await this.put(JOB_FAILED_DETAIL_TYPE, detail);
  }

  async announceUpload(key: string): Promise<void> {
    await this.put(UPLOAD_ANNOUNCED_DETAIL_TYPE, { bucket: { name: this.names.bucket }, object: { key: encodeS3Key(key) } });
  }

  private async put(detailType: string, detail: unknown): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({ Entries: [{ Source: UPLOCK_EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new Error(`EventBridge refused the "${detailType}" event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }
}

export const pipelineEvents = once((): PipelineEvents => {
  const config = loadConfig();
  return new EventBridgePipelineEvents(new EventBridgeClient(eventsSettings(config)), { table: config.tableName, bucket: config.bucketName });
});
