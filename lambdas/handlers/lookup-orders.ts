/** POST /api/orders/lookup — not built yet (issue "customer's pages"); answers 501 honestly. */
import { errorResult, httpHandler } from './http';

export const handler = httpHandler('lookup-orders', async () =>
  errorResult(501, 'not_implemented', 'Looking up orders by email is not available yet.'),
);
