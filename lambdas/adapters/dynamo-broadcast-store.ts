/**
 * Broadcast progress and unsubscribes on the orders table (core/broadcast.ts, core/unsubscribe.ts):
 * `BROADCAST#<id>` holds the broadcast's fingerprint, `BROADCAST#<id>#<addressId>` marks one
 * recipient sent, `BROADCAST#<id>#RERUN#<orderId>` notes an order's rerun (`--rerun`),
 * `UNSUB#<addressId>` records an unsubscribe. None holds an address: the ids are
 * keyed hashes. Markers expire after a year (TTL); unsubscribes stay, so erasing a customer's
 * order data (orders delete) does not put them back on the list.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config';
import type { TimelineEntry } from '../contract';
import type { BroadcastStore, RerunNote } from '../core/broadcast';
import type { DeliveryToken } from '../core/delivery';
import type { OrderId } from '../core/ids';
import type { OrderStore } from '../ports/order-store';
import { dynamoSettings, once } from './clients';
import { documentClient, isConditionFailure, orderStore } from './dynamo-order-store';

const MARKER_TTL_SECONDS = 365 * 24 * 3600;

export interface UnsubscribeStore {
  /** Record that an address (by its id) wants no more broadcasts; repeating it changes nothing. */
  unsubscribe(addressId: string, at: string): Promise<void>;
}

export class DynamoBroadcastStore implements BroadcastStore, UnsubscribeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly orders: Pick<OrderStore, 'attachToken' | 'recordOrderEvent'>,
  ) {}

  private expires(): number {
    return Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS;
  }

  async openBroadcast(id: string, fingerprint: string, at: string): Promise<string> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `BROADCAST#${id}`, fingerprint, startedAt: at, expiresAt: this.expires() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return fingerprint;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `BROADCAST#${id}` }, ConsistentRead: true }));
    return String(out.Item?.fingerprint ?? '');
  }

  async broadcastSent(id: string, addressId: string): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `BROADCAST#${id}#${addressId}` }, ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async markBroadcastSent(id: string, addressId: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: `BROADCAST#${id}#${addressId}`, sentAt: at, expiresAt: this.expires() } }));
  }

  async isUnsubscribed(addressId: string): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `UNSUB#${addressId}` }, ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async unsubscribe(addressId: string, at: string): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: `UNSUB#${addressId}`, unsubscribedAt: at }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      // Already unsubscribed: the first time stays on record.
      if (!isConditionFailure(error)) throw error;
    }
  }

  attachToken(token: DeliveryToken): Promise<void> {
    return this.orders.attachToken(token);
  }

  async rerunNote(id: string, orderId: OrderId): Promise<RerunNote | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `BROADCAST#${id}#RERUN#${orderId}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { revision, outcome, code } = out.Item as { revision?: unknown; outcome?: unknown; code?: unknown };
    return {
      revision: Number(revision),
      ...(outcome === 'ok' || outcome === 'failed' ? { outcome } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }

  async noteRerun(id: string, orderId: OrderId, note: RerunNote): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: `BROADCAST#${id}#RERUN#${orderId}`, ...note, at: new Date().toISOString(), expiresAt: this.expires() } }));
  }

  recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void> {
    return this.orders.recordOrderEvent(orderId, entry);
  }
}

/** The process-wide store, configured from the one config object. */
export const broadcastStore = once((): DynamoBroadcastStore => {
  const config = loadConfig();
  return new DynamoBroadcastStore(documentClient(new DynamoDBClient(dynamoSettings(config))), config.tableName, orderStore());
});
