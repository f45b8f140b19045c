/**
 * The local stand-in for the default EventBridge bus: S3's "Object Created" events (s3rver's
 * notification records, turned into the events AWS delivers for a bucket with EventBridge
 * enabled) and the pipeline's own events, put with the SDK's PutEvents (lambdas/adapters/event-bus.ts)
 * on a small HTTP endpoint that speaks EventBridge's JSON protocol. Each event goes to every rule
 * whose pattern it matches, as the CDK rules match them (lib/processing.ts, lib/payments.ts), and
 * the rule's target runs asynchronously, as EventBridge invokes it. Tracks work in flight so tests
 * and shutdown can wait for it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** A rule: which events (the CDK rule's pattern, as a predicate) go to which target. */
export interface LocalRule {
  readonly name: string;
  readonly matches: (event: EventBridgeEvent<string, unknown>) => boolean;
  readonly target: (event: EventBridgeEvent<string, unknown>) => Promise<unknown>;
}

/** One PutEvents entry, as the SDK sends it. */
interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
}

export class LocalEventBus {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly rules: readonly LocalRule[],
    private readonly onError: (rule: string, error: unknown) => void,
    private readonly region = 'us-east-1',
  ) {}

  /** Feed one s3rver 'event' payload. */
  publish(notification: { Records?: S3NotificationRecord[] }): void {
    for (const record of notification.Records ?? []) {
      const event = toEventBridge(record);
      if (event) this.dispatch(event as EventBridgeEvent<string, unknown>);
    }
  }

  /** Hand an event to every rule it matches; EventBridge delivers asynchronously, so does this. */
  dispatch(event: EventBridgeEvent<string, unknown>): void {
    for (const rule of this.rules) {
      if (!rule.matches(event)) continue;
      // Asynchronous like EventBridge: the uploader's request is answered before the job runs.
      const run = new Promise((resolve) => setImmediate(resolve))
        .then(() => rule.target(event))
        .catch((error: unknown) => this.onError(rule.name, error))
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
  }

  /** PutEvents: the entries that are well formed go on the bus; the others are answered as refused, as AWS does. */
  putEvents(entries: readonly PutEventsEntry[]): { FailedEntryCount: number; Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[] } {
    const results = entries.map((entry) => {
      const refused = refusal(entry);
      if (refused) return refused;
      const id = randomUUID();
      this.dispatch({
        version: '0',
        id,
        'detail-type': entry.DetailType as string,
        source: entry.Source as string,
        account: '000000000000',
        time: new Date().toISOString(),
        region: this.region,
        resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
        detail: JSON.parse(entry.Detail as string) as unknown,
      });
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** The PutEvents endpoint (the config's `endpoints.events`) on 127.0.0.1. */
  async listen(port: number): Promise<{ url: string; close: () => Promise<void> }> {
    const server: Server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${address.port}`,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return answer(400, { __type: 'UnknownOperationException', message: `the local bus answers PutEvents only, not ${String(target)}` });
    }
    let input: { Entries?: unknown };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown };
    } catch {
      return answer(400, { __type: 'SerializationException', message: 'the body is not JSON' });
    }
    if (!Array.isArray(input.Entries) || input.Entries.length < 1 || input.Entries.length > 10) {
      return answer(400, { __type: 'ValidationException', message: 'Entries: 1 to 10 entries' });
    }
    answer(200, this.putEvents(input.Entries as PutEventsEntry[]));
  }

  /** Resolves when every target started so far has finished (and those they started). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}

/** Why AWS would refuse this entry (as an entry error, not the whole call), if it would. */
function refusal(entry: PutEventsEntry): { ErrorCode: string; ErrorMessage: string } | undefined {
  if (entry.EventBusName !== undefined && entry.EventBusName !== 'default') return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `no event bus ${String(entry.EventBusName)} in the local cloud` };
  if (typeof entry.Source !== 'string' || !entry.Source) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid.' };
  if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  if (typeof entry.DetailType !== 'string' || !entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid.' };
  try {
    const detail: unknown = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('not an object');
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}
