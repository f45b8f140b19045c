/**
 * OrderListing on the orders table: a paginated Scan of the order items' keys (the operator's
 * tool reads each order through the OrderStore, so the item format stays in
 * dynamo-order-store.ts). A Scan reads the whole table; at the order volumes uplock is for
 * (thousands a month) that is seconds and cents, and it needs no index the request path would pay
 * for on every write.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { RuntimeConfig } from '../config';
import { parseOrderId, type OrderId } from '../core/ids';
import type { OrderListing } from '../ports/order-listing';

export class DynamoOrderListing implements OrderListing {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  static fromConfig(config: RuntimeConfig): DynamoOrderListing {
    const endpoint = config.endpoints.dynamodb;
    // Local stand-in: any credentials; AWS: the SDK's default credential chain.
    const client = new DynamoDBClient({
      region: config.region,
      ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    return new DynamoOrderListing(DynamoDBDocumentClient.from(client), config.tableName);
  }

  async *orderIds(): AsyncIterable<OrderId> {
    const pages = paginateScan(
      { client: this.db },
      {
        TableName: this.tableName,
        ProjectionExpression: 'pk',
        FilterExpression: 'begins_with(pk, :order)',
        ExpressionAttributeValues: { ':order': 'ORDER#' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const orderId = parseOrderId(String(item.pk).slice('ORDER#'.length));
        if (orderId) yield orderId;
      }
    }
  }

  close(): void {
    this.db.destroy();
  }
}
