/**
 * Alarms an operator must hear about, on one SNS topic: anything parked in the dead-letter queue,
 * process-job and webhook failures, webhook requests the API answered with 4xx/5xx, and the
 * pipeline's own business metrics (DeliveryFailures, PaymentMismatch, Disputes, RefundRefused,
 * StripeApiVersionMismatch) that the handlers emit as EMF (lambdas/adapters/observability.ts) in the
 * namespace and with the dimensions lambdas/contract.ts declares for both sides.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE, type MetricName } from '../lambdas/contract';

/** Namespace and dimensions of the handlers' EMF metrics (declared once, in lambdas/contract.ts). */
export { METRIC_DIMENSIONS, METRIC_NAMESPACE } from '../lambdas/contract';
/** Route key of the webhook in the API access log. */
export const WEBHOOK_ROUTE_KEY = 'POST /api/stripe/webhook';

export interface MonitoringProps {
  /** Alarm notifications go to this address. @default - no subscription (add one to the topic) */
  readonly alarmEmail?: string;
  readonly deadLetterQueue: IQueue;
  /** The rule that starts the process job (FailedInvocations). */
  readonly uploadRule: events.IRule;
  /** The Lambda process job, when jobRuntime is "lambda". */
  readonly processFunction?: IFunction;
  readonly webhookFunction: IFunction;
  readonly httpApi: apigw.IHttpApi;
  /** API access log group (JSON lines with routeKey and numeric status). */
  readonly accessLogGroup: logs.ILogGroup;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'uplock alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values, no customer data. SSE with the AWS-managed key would stop CloudWatch from publishing, and a customer-managed key costs more than the rest of the pipeline at low volume.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const fiveMinutes = Duration.minutes(5);
    this.alarm('DeadLetters', {
      description: 'Something was dead-lettered (a failed job, sweeper run or Stripe event): inspect the queue and redrive.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
    });
    this.alarm('UploadRuleFailedInvocations', {
      description: 'EventBridge could not start the process job for an upload.',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: props.uploadRule.ruleName },
        period: fiveMinutes,
        statistic: cloudwatch.Stats.SUM,
      }),
    });
    if (props.processFunction) {
      this.alarm('ProcessJobErrors', {
        description: 'The process job threw (customer file problems are not errors; these are faults).',
        metric: props.processFunction.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      });
    }
    this.alarm('WebhookErrors', {
      description: 'The Stripe webhook function failed: Stripe will retry, but payments are not being recorded.',
      metric: props.webhookFunction.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    });
    this.alarm('ApiServerErrors', {
      description: 'The API answered 5xx.',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: props.httpApi.apiId },
        period: fiveMinutes,
        statistic: cloudwatch.Stats.SUM,
      }),
    });

    // 4xx on the webhook means a bad signature or a stale timestamp: a wrong signing secret
    // after a rotation looks exactly like this. One metric filter on the access log, no code.
    const webhookRejected = new logs.MetricFilter(this, 'WebhookClientErrorsFilter', {
      logGroup: props.accessLogGroup,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.routeKey', '=', WEBHOOK_ROUTE_KEY),
        logs.FilterPattern.numberValue('$.status', '>=', 400),
        logs.FilterPattern.numberValue('$.status', '<', 500),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'WebhookClientErrors',
      metricValue: '1',
    });
    this.alarm('WebhookClientErrors', {
      description: 'The webhook rejected requests (4xx): check the signing secret in Secrets Manager matches the Stripe endpoint.',
      metric: webhookRejected.metric({ period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    for (const [metricName, description] of [
      ['DeliveryFailures', 'A paid, finished order could not be delivered (email failed): it will be retried, check SES.'],
      ['PaymentMismatch', 'A paid Checkout Session did not match the config (amount, currency, link or mode): check the Payment Link.'],
      ['Disputes', 'A customer disputed a charge: answer it in the Stripe Dashboard before the deadline (the order is not delivered).'],
      [
        'RefundRefused',
        'Stripe refused a refund uplock asked for (a duplicate payment, a failed job, an erased order) for good, e.g. a disputed or missing charge: the order timeline (uplock orders show) names it; settle it in the Stripe Dashboard.',
      ],
      [
        'StripeApiVersionMismatch',
        'A Stripe event came in another API version than the one the stripe package pins: an old webhook endpoint still delivers (expected for three days after an upgrade, docs/deploy.md) or an endpoint was made by hand. Its fields may be misread.',
      ],
    ] as const satisfies readonly (readonly [MetricName, string])[]) {
      this.alarm(metricName, {
        description,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName,
          dimensionsMap: { ...METRIC_DIMENSIONS },
          period: fiveMinutes,
          statistic: cloudwatch.Stats.SUM,
        }),
      });
    }
  }

  private alarm(
    id: string,
    options: {
      description: string;
      metric: cloudwatch.IMetric;
      threshold?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `uplock: ${options.description}`,
      metric: options.metric,
      threshold: options.threshold ?? 0,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data means nothing happened: no dead letters, no errors.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
