/**
 * The pipeline's own events (lambdas/adapters/event-bus.ts) through the real EventBridge client,
 * against the local bus's PutEvents endpoint (local/event-bus.ts): what a rule's target receives,
 * a refused entry thrown (PutEvents answers 200 for it), and the rules' patterns.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../../lambdas/adapters/clients';
import { EventBridgePipelineEvents } from '../../../lambdas/adapters/event-bus';
import { announceRefundOwed } from '../../../lambdas/adapters/job-deps';
import { decodeS3Key } from '../../../lambdas/handlers/process-upload';
import { JOB_FAILED_DETAIL_TYPE, UPLOCK_EVENT_SOURCE } from '../../../lambdas/contract';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order } from '../../../lambdas/core/order';
import { LocalEventBus } from '../../../local/event-bus';

const received: EventBridgeEvent<string, unknown>[] = [];
const bus = new LocalEventBus(
  [
    { name: 'everything from uplock', matches: (event) => event.source === UPLOCK_EVENT_SOURCE, target: async (event) => void received.push(event) },
    { name: 'a failing target', matches: (event) => event['detail-type'] === 'Boom', target: () => Promise.reject(new Error('boom')) },
  ],
  (rule, error) => errors.push(`${rule}: ${String(error)}`),
);
const errors: string[] = [];
let endpoint: { url: string; close: () => Promise<void> };
let client: EventBridgeClient;
let events: EventBridgePipelineEvents;

beforeAll(async () => {
  endpoint = await bus.listen(0);
  client = new EventBridgeClient(awsClientSettings('us-east-1', endpoint.url));
  events = new EventBridgePipelineEvents(client, { table: 'orders-test', bucket: 'data-test' });
});

afterAll(async () => {
  client?.destroy();
  await endpoint?.close();
});

const orderId = '1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b' as OrderId;

describe('EventBridgePipelineEvents', () => {
  it('puts "Job Failed" with the order and the table, from source uplock', async () => {
    received.length = 0;
    await events.jobFailed(orderId);
    await bus.idle();

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ source: 'uplock', 'detail-type': JOB_FAILED_DETAIL_TYPE, detail: { orderId, table: 'orders-test' } });
  });

  it('announces an upload with S3\'s detail type and shape, the key encoded as S3 encodes it', async () => {
    received.length = 0;
    const key = `uploads/${orderId}/input`;
    await events.announceUpload(key);
    await bus.idle();

    expect(received).toHaveLength(1);
    const detail = received[0]?.detail as { bucket: { name: string }; object: { key: string } };
    expect(received[0]?.['detail-type']).toBe('Object Created');
    expect(detail.bucket.name).toBe('data-test');
    expect(decodeS3Key(detail.object.key)).toBe(key);
  });

  it('throws when PutEvents answers 200 but refused the entry', async () => {
    // An "aws." source is reserved: AWS refuses the entry, not the call.
    const refusing = new EventBridgePipelineEvents(
      { send: (command: PutEventsCommand) => client.send(new PutEventsCommand({ Entries: command.input.Entries?.map((e) => ({ ...e, Source: 'aws.s3' })) })) } as unknown as EventBridgeClient,
      { table: 'orders-test', bucket: 'data-test' },
    );
    await expect(refusing.jobFailed(orderId)).rejects.toThrow(/NotAuthorizedForSourceException/);
  });

  it('reports a target that throws, as EventBridge would retry and dead-letter it, without losing the others', async () => {
    errors.length = 0;
    const out = await client.send(new PutEventsCommand({ Entries: [{ Source: 'uplock', DetailType: 'Boom', Detail: '{}' }, { Source: 'x', DetailType: 'y', Detail: 'not json' }] }));
    await bus.idle();

    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    expect(errors).toEqual(['a failing target: Error: boom']);
  });
});

describe('announceRefundOwed (the job\'s side of "no result, no charge")', () => {
  const order = (fields: Partial<Order>): Order => ({ orderId, job: 'failed', payment: 'paid', ...fields }) as Order;
  const run = async (found: Order | undefined) => {
    const announced: string[] = [];
    const outcome = await announceRefundOwed({ getOrder: async () => found }, async (id) => void announced.push(id))(orderId);
    return { outcome, announced };
  };

  it('announces a paid order whose job failed', async () => {
    expect(await run(order({}))).toEqual({ outcome: 'announced', announced: [orderId] });
  });

  it.each([
    ['unpaid', order({ payment: 'unpaid' })],
    ['already refunded', order({ payment: 'refunded' })],
    ['not failed', order({ job: 'processing' })],
    ['unknown', undefined],
  ])('announces nothing for an order %s', async (_name, found) => {
    expect(await run(found)).toEqual({ outcome: 'nothing_owed', announced: [] });
  });
});
