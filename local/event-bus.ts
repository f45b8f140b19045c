/**
 * The local stand-in for S3 → EventBridge: turns s3rver's notification records into the
 * EventBridge "Object Created" events AWS delivers for a bucket with EventBridge enabled, filters
 * them like the CDK rule (prefix uploads/) and invokes the target. Tracks work in flight so tests
 * and shutdown can wait for it.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';

interface S3NotificationRecord {
  eventName: string;
  eventTime: string;
  awsRegion: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
  requestParameters?: { sourceIPAddress?: string };
}

export interface ObjectCreatedDetail {
  version: '0';
  bucket: { name: string };
  object: { key: string; size: number; etag: string; sequencer: string };
  'request-id': string;
  requester: string;
  'source-ip-address': string;
  reason: 'PutObject' | 'POST Object' | 'CopyObject';
}

export type ObjectCreatedEvent = EventBridgeEvent<'Object Created', ObjectCreatedDetail>;

/** S3 URL-encodes keys in notifications, with spaces as '+'. */
export const encodeS3Key = (key: string): string => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

const REASONS: Record<string, ObjectCreatedDetail['reason']> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
};

export function toEventBridge(record: S3NotificationRecord): ObjectCreatedEvent | undefined {
  const reason = REASONS[record.eventName];
  if (!reason) return undefined;
  const bucket = record.s3.bucket.name;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: record.eventTime,
    region: record.awsRegion,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: encodeS3Key(record.s3.object.key),
        size: record.s3.object.size ?? 0,
        etag: record.s3.object.eTag ?? '',
        sequencer: record.s3.object.sequencer ?? '',
      },
      'request-id': randomUUID(),
      requester: '000000000000',
      'source-ip-address': record.requestParameters?.sourceIPAddress ?? '127.0.0.1',
      reason,
    },
  };
}

export class LocalEventBus {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly rule: { bucket: string; prefix: string },
    private readonly target: (event: ObjectCreatedEvent) => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Feed one s3rver 'event' payload. */
  publish(notification: { Records?: S3NotificationRecord[] }): void {
    for (const record of notification.Records ?? []) {
      const event = toEventBridge(record);
      if (!event || event.detail.bucket.name !== this.rule.bucket) continue;
      if (!decodeURIComponent(event.detail.object.key).startsWith(this.rule.prefix)) continue;
      // Asynchronous like EventBridge: the uploader's request is answered before the job runs.
      const run = new Promise((resolve) => setImmediate(resolve))
        .then(() => this.target(event))
        .catch(this.onError)
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
  }

  /** Resolves when every job started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
