/**
 * The sweeper's own items on the order table (core/sweep.ts SweepStore): its lease
 * `SWEEP#lease` (owner, `leaseUntil` in epoch ms; taken with a conditional put that succeeds when
 * there is none or it expired, released with a conditional delete), its cursor `SWEEP#cursor`, and
 * the batched reads (BatchGetItem, 100 keys a request, consistent) that let it skip settled
 * sessions without a write.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config';
import type { OrderId } from '../core/ids';
import type { Order } from '../core/order';
import type { SweepCursor, SweepLease, SweepStore } from '../core/sweep';
import { dynamoSettings, once } from './clients';
import { documentClient, isConditionFailure, toOrder, type OrderItem } from './dynamo-order-store';

const LEASE_KEY = { pk: 'SWEEP#lease' };
const CURSOR_KEY = { pk: 'SWEEP#cursor' };
/** BatchGetItem's limit. */
const BATCH = 100;
/** Unprocessed keys (throttling) are asked for again this many times before the sweep gives up on the page. */
const BATCH_ROUNDS = 8;

export class DynamoSweepStore implements SweepStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async takeSweepLease(owner: string, now: number, until: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          // expiresAt (TTL) only tidies up: leaseUntil decides.
          Item: { ...LEASE_KEY, owner, leaseUntil: until, expiresAt: Math.ceil(until / 1000) + 24 * 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async sweepLease(): Promise<SweepLease | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: LEASE_KEY, ConsistentRead: true }));
    return out.Item ? { owner: String(out.Item.owner), until: Number(out.Item.leaseUntil) } : undefined;
  }

  async releaseSweepLease(owner: string): Promise<void> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: LEASE_KEY, ConditionExpression: '#owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': owner } }));
    } catch (error) {
      // Taken over after it expired: it is someone else's now.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async sweepCursor(): Promise<SweepCursor | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: CURSOR_KEY, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return undefined;
    return {
      ...(typeof item.eventsSince === 'number' ? { eventsSince: item.eventsSince } : {}),
      ...(typeof item.resumeAfter === 'string' && typeof item.resumePassStartedAt === 'number'
        ? { resume: { after: item.resumeAfter, passStartedAt: item.resumePassStartedAt } }
        : {}),
    };
  }

  async saveSweepCursor(cursor: SweepCursor): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...CURSOR_KEY,
          ...(cursor.eventsSince !== undefined ? { eventsSince: cursor.eventsSince } : {}),
          ...(cursor.resume ? { resumeAfter: cursor.resume.after, resumePassStartedAt: cursor.resume.passStartedAt } : {}),
        },
      }),
    );
  }

  async ordersForSweep(orderIds: readonly OrderId[]): Promise<ReadonlyMap<OrderId, Order>> {
    const items = await this.batchGet(orderIds.map((id) => `ORDER#${id}`));
    const orders = new Map<OrderId, Order>();
    for (const item of items) {
      const order = toOrder(item as unknown as OrderItem);
      orders.set(order.orderId, order);
    }
    return orders;
  }

  async markersForSweep(keys: readonly string[]): Promise<ReadonlySet<string>> {
    const items = await this.batchGet(keys.map((key) => `EVENT#${key}`));
    return new Set(items.map((item) => String(item.pk).slice('EVENT#'.length)));
  }

  private async batchGet(pks: readonly string[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    const unique = [...new Set(pks)];
    for (let i = 0; i < unique.length; i += BATCH) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH).map((pk) => ({ pk }));
      for (let round = 0; keys.length; round++) {
        if (round === BATCH_ROUNDS) throw new Error('DynamoDB left keys unprocessed after several rounds');
        if (round) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        found.push(...(out.Responses?.[this.tableName] ?? []));
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }
}

/** The process-wide SweepStore, configured from the one config object. */
export const sweepStore = once((): SweepStore => {
  const config = loadConfig();
  return new DynamoSweepStore(documentClient(new DynamoDBClient(dynamoSettings(config))), config.tableName);
});
