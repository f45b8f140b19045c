/** Orders for the tool's commands: the functions' OrderStore, and the table listing beside it. */
import type { Order } from '../../lambdas/core/order';
import type { OrderStore } from '../../lambdas/ports/order-store';
import type { GlobalOptions } from '../cli-kit';
import { connect } from '../target';

export async function readStore(options: GlobalOptions): Promise<OrderStore> {
  await connect(options);
  const { orderStore } = await import('../../lambdas/adapters/dynamo-order-store');
  return orderStore();
}

/** Every order of the target (smoke-test orders included; callers filter). */
export async function allOrders(options: GlobalOptions): Promise<Order[]> {
  const target = await connect(options);
  const [{ orderStore }, { DynamoOrderListing }] = await Promise.all([
    import('../../lambdas/adapters/dynamo-order-store'),
    import('../../lambdas/adapters/dynamo-order-listing'),
  ]);
  const store = orderStore();
  const listing = DynamoOrderListing.fromConfig(target.config);
  const out: Order[] = [];
  try {
    for await (const orderId of listing.orderIds()) {
      const order = await store.getOrder(orderId);
      if (order) out.push(order);
    }
  } finally {
    listing.close();
  }
  return out;
}
