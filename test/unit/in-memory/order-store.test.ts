/**
 * The in-memory order store the unit tests run core on keeps the order timeline as the DynamoDB
 * adapter does (the shared contract in test/contracts/order-store-timeline.ts, also run against
 * the adapter in test/integration/adapters/dynamo-order-store.test.ts).
 */
import { describeTimelineContract } from '../../contracts/order-store-timeline';
import { InMemoryOrderStore } from './order-store';

const store = new InMemoryOrderStore();

describeTimelineContract('InMemoryOrderStore', () => store);
