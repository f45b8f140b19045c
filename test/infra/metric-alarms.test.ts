/**
 * The business alarms watch exactly the metrics the handlers emit: the same namespace, name and
 * dimensions, taken from the one module that declares them (lambdas/contract.ts, which
 * lambdas/adapters/observability.ts emits with and lib/monitoring.ts alarms on). An alarm on a
 * metric nobody emits never fires; test/unit/adapters/metrics-emf.test.ts and
 * test/integration/refund-refusals.test.ts check the emitting side.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE, type MetricName } from '../../lambdas/contract';
import { synthesize } from './support';

let template: Template;

beforeAll(() => {
  ({ template } = synthesize({ bundle: false }));
}, 180_000);

interface AlarmProperties {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic?: string;
  Threshold?: number;
  ComparisonOperator?: string;
  AlarmActions?: unknown[];
}

const alarms = (): AlarmProperties[] => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: AlarmProperties }).Properties);

/** The dimensions Powertools writes on every metric of ours, as CloudFormation lists them. */
const emittedDimensions = Object.entries(METRIC_DIMENSIONS).map(([Name, Value]) => ({ Name, Value }));

describe('alarms on the metrics the handlers emit', () => {
  it.each([
    // core/stripe-events.ts counts it on every charge.dispute.created.
    ['Disputes' satisfies MetricName],
    // adapters/stripe-payments.ts noteApiVersion counts it for an event in another API version (issue 11).
    ['StripeApiVersionMismatch' satisfies MetricName],
    // core/stripe-events.ts counts it when Stripe refuses a refund for good.
    ['RefundRefused' satisfies MetricName],
  ])('%s: one alarm, on the emitted namespace, name and dimensions, from the first occurrence', (name) => {
    const watching = alarms().filter((a) => a.MetricName === name);

    expect(watching).toHaveLength(1);
    expect(watching[0]).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: name,
      Dimensions: emittedDimensions,
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(watching[0]?.AlarmActions).toHaveLength(1);
  });

  it('no alarm watches our namespace with other dimensions than the handlers emit (such an alarm never fires)', () => {
    const ours = alarms().filter((a) => a.Namespace === METRIC_NAMESPACE && a.MetricName !== 'WebhookClientErrors');
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const alarm of ours) expect(alarm.Dimensions, alarm.MetricName).toEqual(emittedDimensions);
  });
});
