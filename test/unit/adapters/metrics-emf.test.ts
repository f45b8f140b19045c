/**
 * What the handlers really write for CloudWatch: the EMF documents Powertools prints for
 * `countMetric` (lambdas/adapters/observability.ts), captured from standard output, when core
 * handles a dispute, when Stripe refuses a refund for good, and when an event arrives in another
 * API version. Their namespace, name and dimensions must be the ones lambdas/contract.ts declares,
 * which the alarms watch (test/infra/metric-alarms.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE, type MetricName } from '../../../lambdas/contract';
import { countMetric } from '../../../lambdas/adapters/observability';
import { noteApiVersion } from '../../../lambdas/adapters/stripe-payments';
import { handleStripeEvent } from '../../../lambdas/core/stripe-events';
import { PaymentsError } from '../../../lambdas/ports/payments';
import { InMemoryShop } from '../in-memory/shop';

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let printed: string[];

beforeEach(() => {
  printed = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('"_aws"')) {
      printed.push(text);
      return true;
    }
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every metric printed, as (namespace, name, dimensions, value). */
function emitted(): { namespace: string; name: string; dimensions: Record<string, unknown>; value: unknown }[] {
  return printed
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.trim().startsWith('{'))
    .flatMap((line) => {
      const doc = JSON.parse(line) as EmfDocument;
      return doc._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.map((metric) => ({
          namespace: directive.Namespace,
          name: metric.Name,
          dimensions: Object.fromEntries(directive.Dimensions.flat().map((key) => [key, doc[key]])),
          value: doc[metric.Name],
        })),
      );
    });
}

const expected = (name: MetricName) => ({ namespace: METRIC_NAMESPACE, name, dimensions: { ...METRIC_DIMENSIONS }, value: 1 });

describe('the metrics the handlers emit', () => {
  it('handling charge.dispute.created emits Disputes in the declared namespace with the declared dimensions', async () => {
    const shop = new InMemoryShop();
    const order = shop.addOrder();
    const session = shop.session(order.orderId);
    await shop.deliver(shop.event('checkout.session.completed', session));
    const deps = { ...shop.eventDeps(), count: countMetric };
    printed = [];

    const outcome = await handleStripeEvent(shop.event('charge.dispute.created', shop.dispute(session)), deps);

    expect(outcome).toBe('revoked');
    expect(emitted()).toEqual([expected('Disputes')]);
  });

  it('a refund Stripe refuses for good emits RefundRefused the same way', async () => {
    const shop = new InMemoryShop();
    const order = shop.addOrder({ job: 'failed' });
    const session = shop.session(order.orderId);
    shop.payments.refund = async () => {
      throw new PaymentsError('refused', 'refund: Charge has been charged back', 'charge_disputed');
    };
    printed = [];

    const outcome = await handleStripeEvent(shop.event('checkout.session.completed', session), { ...shop.eventDeps(), count: countMetric });

    expect(outcome).toBe('refund_refused');
    expect(emitted()).toEqual([expected('RefundRefused')]);
  });

  it('an event in another API version emits StripeApiVersionMismatch the same way (issue 11)', () => {
    expect(noteApiVersion({ id: 'evt_old', type: 'charge.refunded', api_version: '2020-08-27' })).toBe(false);

    expect(emitted()).toEqual([expected('StripeApiVersionMismatch')]);
  });
});
