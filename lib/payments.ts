/**
 * Stripe's side of the pipeline: the two secrets (API key, webhook signing secret), the deploy-time
 * Stripe wiring (a custom resource that creates or updates the Product, Price, Payment Link and
 * webhook endpoint and stores the endpoint's signing secret), the reconciliation sweeper on a
 * schedule, the job's "Job Failed" events to the `stripe-events` function (the refund of a paid
 * order whose job failed), and the optional route from a Stripe event destination's partner event
 * bus to that same function. The webhook function itself is an API route (lambdas/routes.ts); this
 * construct only owns what is not behind HTTP.
 */
import { CustomResource, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { HANDLED_STRIPE_EVENT_TYPES, JOB_FAILED_DETAIL_TYPE, UPLOCK_EVENT_SOURCE } from '../lambdas/contract';
import type { RuntimeConfigJson, StripeWiringIds } from './config';
import { iam5Resource } from './nag';
import type { StripeSecretKind } from './runtime-binding';
import { UplockFunction } from './uplock-function';

/**
 * What a secret the stack creates holds until the operator puts the real value in. The wiring
 * handler treats it as "no key yet" (isPlaceholderSecret in lambdas/adapters/stripe-wiring.ts) and
 * reports `Wired = false` instead of calling Stripe with it. Not a secret: it is the absence of one.
 */
export const SECRET_PLACEHOLDER = 'REPLACE_ME';

/** Context key: any new value re-runs the wiring on the next deploy (`-c uplock:rewire=$(date +%s)`). */
export const REWIRE_CONTEXT = 'uplock:rewire';

/** The custom resource attributes the wiring handler returns (lambdas/handlers/stripe-wiring.ts). */
export type StripeWiringAttribute = 'Wired' | 'PaymentLinkId' | 'PaymentLinkUrl' | 'PriceId' | 'WebhookEndpointId';

/** How often the sweeper looks for paid sessions the webhook missed. */
export const SWEEP_EVERY = Duration.minutes(15);

export interface PaymentsProps {
  /** Existing secret (name) with the Stripe secret key. @default - a placeholder secret is created */
  readonly secretKeySecretName?: string;
  /** Existing secret (name) with the webhook signing secret. @default - a placeholder secret is created */
  readonly webhookSecretSecretName?: string;
}

export interface StripeWiringProps {
  /** Source of the wiring handler (lambdas/handlers/stripe-wiring.ts). */
  readonly entry: string;
  /** Names this installation's objects in Stripe (metadata `uplock`): the stack name. */
  readonly tag: string;
  /** Public https base URL of the site: the Payment Link redirects there, the webhook is under it. */
  readonly siteUrl: string;
  readonly product: { readonly name: string; readonly description: string };
  readonly price: { readonly amount: number; readonly currency: string };
  /** Test or live mode: switching means a new key, so the wiring must run again. */
  readonly livemode: boolean;
  /**
   * False when the deploy config names its own Payment Link: the wiring should then manage the
   * webhook endpoint only (needs handler support for `ManagePaymentLink`; see docs/deploy.md).
   */
  readonly managePaymentLink: boolean;
  /** `UPLOCK_CONFIG` of the wiring function; it must not contain the wiring's own outputs. */
  readonly config: RuntimeConfigJson;
}

export class Payments extends Construct {
  readonly secrets: Readonly<Record<StripeSecretKind, secretsmanager.ISecret>>;
  sweeperSchedule?: events.Rule;
  stripeEventsRule?: events.Rule;
  jobFailedRule?: events.Rule;
  /** The deploy-time wiring: its handler and the custom resource (after `wireStripe`). */
  wiringFunction?: UplockFunction;
  wiring?: CustomResource;

  constructor(scope: Construct, id: string, props: PaymentsProps = {}) {
    super(scope, id);
    this.secrets = {
      secretKey: this.secret('StripeSecretKey', props.secretKeySecretName, 'Stripe secret API key (sk_live_... or sk_test_...). Replace the generated placeholder: see docs/deploy.md.'),
      webhookSecret: this.secret('StripeWebhookSecret', props.webhookSecretSecretName, 'Stripe webhook signing secret (whsec_...); several may be given, comma-separated, while rotating. Replace the generated placeholder: see docs/deploy.md.'),
    };
  }

  private secret(id: string, existingName: string | undefined, description: string): secretsmanager.ISecret {
    if (existingName) return secretsmanager.Secret.fromSecretNameV2(this, id, existingName);
    // Created with a placeholder, never a real value: the operator puts the key in after
    // deploying, so it never passes through the template, the CLI history or CI. CloudFormation
    // writes SecretString only when the template's value changes, so later deploys keep the key.
    const secret = new secretsmanager.Secret(this, id, {
      description,
      secretStringValue: SecretValue.unsafePlainText(SECRET_PLACEHOLDER),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Stripe keys and webhook secrets are rolled in the Stripe Dashboard, which Secrets Manager rotation cannot drive; docs/deploy.md describes rolling them.',
    });
    return secret;
  }

  /**
   * The deploy-time Stripe wiring: one function (reads both secrets, writes only the webhook
   * signing secret), the custom resource Provider framework in front of it, and the resource. Its
   * properties are everything the wiring depends on, so CloudFormation re-runs it whenever the
   * price, product, site URL or livemode changes (and when `uplock:rewire` changes: after the key
   * is first put in). Returns the ids for `UPLOCK_CONFIG`; each is '' until the key is in Secrets Manager.
   */
  wireStripe(props: StripeWiringProps): StripeWiringIds {
    if (this.wiring) throw new Error('Payments: wireStripe may be called once');
    const { secretKey, webhookSecret } = this.secrets;
    const fn = new UplockFunction(this, 'StripeWiringHandler', {
      entry: props.entry,
      description: 'uplock stripe-wiring (deploy-time custom resource)',
      config: props.config,
      // Up to ~10 Stripe calls (lists, creates, a webhook replacement), each retried twice.
      timeout: Duration.minutes(2),
    });
    fn.bindSecret(secretKey, 'secretKey');
    fn.bindSecret(webhookSecret, 'webhookSecret');
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [secretResource(webhookSecret)] }));
    this.wiringFunction = fn;

    // Our own role for the framework function: the default one carries AWSLambdaBasicExecutionRole
    // (write to any log group); this one writes only to the framework's own log group.
    const frameworkLogs = new logs.LogGroup(this, 'StripeWiringProviderLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = new iam.Role(this, 'StripeWiringProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'uplock stripe-wiring custom resource provider framework',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'StripeWiringProvider', {
      onEventHandler: fn,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });

    const rewire: unknown = this.node.tryGetContext(REWIRE_CONTEXT);
    this.wiring = new CustomResource(this, 'StripeWiring', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::UplockStripeWiring',
      properties: {
        Tag: props.tag,
        SiteUrl: props.siteUrl,
        ProductName: props.product.name,
        ProductDescription: props.product.description,
        PriceAmount: String(props.price.amount),
        PriceCurrency: props.price.currency,
        SecretKeySecretId: secretKey.secretFullArn ?? secretKey.secretName,
        WebhookSecretSecretId: webhookSecret.secretFullArn ?? webhookSecret.secretName,
        ManagePaymentLink: String(props.managePaymentLink),
        Livemode: String(props.livemode),
        ...(rewire !== undefined && rewire !== '' ? { Rewire: String(rewire) } : {}),
      },
    });
    this.acknowledgeWiring(fn, frameworkRole);
    return {
      paymentLinkId: this.wiringAttribute('PaymentLinkId'),
      paymentLinkUrl: this.wiringAttribute('PaymentLinkUrl'),
      priceId: this.wiringAttribute('PriceId'),
    };
  }

  /** One attribute of the wiring custom resource (a token until deploy). */
  wiringAttribute(name: StripeWiringAttribute): string {
    if (!this.wiring) throw new Error('Payments: call wireStripe first');
    return this.wiring.getAttString(name);
  }

  private acknowledgeWiring(fn: UplockFunction, frameworkRole: iam.Role): void {
    const stack = Stack.of(this);
    const handlerPolicy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (handlerPolicy) {
      for (const secret of Object.values(this.secrets)) {
        if (secret.secretFullArn) continue;
        Validations.of(handlerPolicy).acknowledge({
          id: iam5Resource(stack, `${secret.secretArn}-??????`),
          reason: 'A secret imported by name: Secrets Manager appends six random characters to its ARN, matched by -??????.',
        });
      }
    }
    const frameworkPolicy = frameworkRole.node.tryFindChild('DefaultPolicy');
    if (frameworkPolicy) {
      Validations.of(frameworkPolicy).acknowledge({
        id: iam5Resource(stack, `${fn.functionArn}:*`),
        reason: 'aws-cdk-lib custom resource Provider framework: it may invoke the wiring handler and its versions (:*) only.',
      });
    }
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

  /**
   * The job's "Job Failed" events (default bus) to the `stripe-events` function, which holds the
   * Stripe client and refunds a paid order ("no result, no charge"); only this stack's table's.
   * Retried like Stripe's events; a refund still owed after that is the sweeper's (it reconciles
   * every paid session of the last days).
   */
  routeJobFailures(handler: IFunction, tableName: string, deadLetterQueue: IQueue): events.Rule {
    this.jobFailedRule = new events.Rule(this, 'JobFailed', {
      description: "uplock: a job failed: refund the order if it is paid (no result, no charge)",
      eventPattern: { source: [UPLOCK_EVENT_SOURCE], detailType: [JOB_FAILED_DETAIL_TYPE], detail: { table: [tableName] } },
      targets: [new targets.LambdaFunction(handler, { retryAttempts: 8, maxEventAge: Duration.hours(24), deadLetterQueue })],
    });
    return this.jobFailedRule;
  }

  /** Deliver Stripe events from an event destination's partner bus to the `stripe-events` job. */
  routeStripeEvents(eventBusName: string, handler: IFunction, deadLetterQueue: IQueue): events.Rule {
    const bus = events.EventBus.fromEventBusName(this, 'StripePartnerBus', eventBusName);
    this.stripeEventsRule = new events.Rule(this, 'StripeEvents', {
      description: 'uplock: Stripe events from the event destination',
      eventBus: bus,
      eventPattern: {
        source: events.Match.prefix('aws.partner/stripe.com'),
        // The same list the webhook endpoint is registered for (lambdas/contract.ts).
        detailType: [...HANDLED_STRIPE_EVENT_TYPES],
      },
      targets: [new targets.LambdaFunction(handler, { retryAttempts: 8, maxEventAge: Duration.hours(24), deadLetterQueue })],
    });
    return this.stripeEventsRule;
  }
}

/** IAM resource of a secret: imported by name it has no full ARN (six random characters follow). */
function secretResource(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
