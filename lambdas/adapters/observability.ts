/**
 * Structured JSON logs and CloudWatch metrics (EMF) via Powertools. Logs carry order ids, never
 * emails or tokens.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'uplock' });

export const metrics = new Metrics({ namespace: 'uplock', serviceName: 'uplock' });

export type MetricName = 'DeliveryFailures' | 'Deliveries' | 'PaymentMismatch' | 'JobFailures' | 'WebhookRejected' | 'Disputes' | 'Refunds' | 'StripeApiVersionMismatch';

/** Count one occurrence and flush at once: handlers are short and some are not wrapped by middleware. */
export function countMetric(name: MetricName, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
