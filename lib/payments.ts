/**
 * Stripe's side of the pipeline: the two secrets (API key, webhook signing secret), the
 * reconciliation sweeper on a schedule, and the optional route from a Stripe event destination's
 * partner event bus to the `stripe-events` job. The webhook function itself is an API route
 * (lambdas/routes.ts); this construct only owns what is not behind HTTP.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StripeSecretKind } from './runtime-binding';

/** Stripe event types the pipeline acts on (ARCHITECTURE.md section 5); others never reach it. */
export const STRIPE_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'charge.refunded',
  'charge.dispute.created',
] as const;

/** How often the sweeper looks for paid sessions the webhook missed. */
export const SWEEP_EVERY = Duration.minutes(15);

export interface PaymentsProps {
  /** Existing secret (name) with the Stripe secret key. @default - a placeholder secret is created */
  readonly secretKeySecretName?: string;
  /** Existing secret (name) with the webhook signing secret. @default - a placeholder secret is created */
  readonly webhookSecretSecretName?: string;
}

export class Payments extends Construct {
  readonly secrets: Readonly<Record<StripeSecretKind, secretsmanager.ISecret>>;
  sweeperSchedule?: events.Rule;
  stripeEventsRule?: events.Rule;

  constructor(scope: Construct, id: string, props: PaymentsProps = {}) {
    super(scope, id);
    this.secrets = {
      secretKey: this.secret('StripeSecretKey', props.secretKeySecretName, 'Stripe secret API key (sk_live_... or sk_test_...). Replace the generated placeholder: see docs/deploy.md.'),
      webhookSecret: this.secret('StripeWebhookSecret', props.webhookSecretSecretName, 'Stripe webhook signing secret (whsec_...); several may be given, comma-separated, while rotating. Replace the generated placeholder: see docs/deploy.md.'),
    };
  }

  private secret(id: string, existingName: string | undefined, description: string): secretsmanager.ISecret {
    if (existingName) return secretsmanager.Secret.fromSecretNameV2(this, id, existingName);
    // Created with a random placeholder, never a real value: the operator puts the key in after
    // deploying, so it never passes through the template, the CLI history or CI.
    const secret = new secretsmanager.Secret(this, id, {
      description,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Stripe keys and webhook secrets are rolled in the Stripe Dashboard, which Secrets Manager rotation cannot drive; docs/deploy.md describes rolling them.',
    });
    return secret;
  }

  /** Run the reconciliation sweeper every 15 minutes. */
  scheduleSweeper(sweeper: IFunction, deadLetterQueue: IQueue): events.Rule {
    this.sweeperSchedule = new events.Rule(this, 'SweeperSchedule', {
      description: 'uplock: fulfil paid Checkout Sessions the webhook missed',
      schedule: events.Schedule.rate(SWEEP_EVERY),
      // A run older than the interval is superseded by the next one: no point retrying it long.
      targets: [new targets.LambdaFunction(sweeper, { retryAttempts: 2, maxEventAge: SWEEP_EVERY, deadLetterQueue })],
    });
    return this.sweeperSchedule;
  }

  /** Deliver Stripe events from an event destination's partner bus to the `stripe-events` job. */
  routeStripeEvents(eventBusName: string, handler: IFunction, deadLetterQueue: IQueue): events.Rule {
    const bus = events.EventBus.fromEventBusName(this, 'StripePartnerBus', eventBusName);
    this.stripeEventsRule = new events.Rule(this, 'StripeEvents', {
      description: 'uplock: Stripe events from the event destination',
      eventBus: bus,
      eventPattern: {
        source: events.Match.prefix('aws.partner/stripe.com'),
        detailType: [...STRIPE_EVENT_TYPES],
      },
      targets: [new targets.LambdaFunction(handler, { retryAttempts: 8, maxEventAge: Duration.hours(24), deadLetterQueue })],
    });
    return this.stripeEventsRule;
  }
}
