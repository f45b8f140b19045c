/**
 * Every order of the shop, for the operator's tool (listing, statistics, export). Only the tool
 * uses it: no handler walks the whole table.
 */
import type { OrderId } from '../core/ids';

export interface OrderListing {
  /** Every order id in the table, in no particular order. */
  orderIds(): AsyncIterable<OrderId>;
}
