/**
 * Structured JSON logs and CloudWatch metrics (EMF) via Powertools. Logs carry order ids, never
 * emails or tokens.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE, type MetricName } from '../contract';

export type { MetricName } from '../contract';

export const logger = new Logger({ serviceName: 'uplock' });

// The alarms (lib/monitoring.ts) watch this namespace and these dimensions: one declaration for both.
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_DIMENSIONS.service });

/** Count one occurrence and flush at once: handlers are short and some are not wrapped by middleware. */
export function countMetric(name: MetricName, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
