/**
 * The whole pipeline in one stack: storage, email, payments, API, site, processing, monitoring.
 * Every handler is an `UplockFunction` whose IAM and `UPLOCK_CONFIG` come from its row in
 * lib/access.ts; API routes come from the route table in lambdas/routes.ts.
 */
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { routes, type HandlerName } from '../lambdas/routes';
import { accessFor, applyAccess, type AccessResources, type FunctionName, type HandlerAccess } from './access';
import { Api } from './api';
import { handlerEntry, handlersDir as defaultHandlersDir, repoRoot } from './bundling';
import { RUNTIME_CONFIG_OUTPUT, SITE_URL_OUTPUT } from '../lambdas/contract';
import { baseRuntimeConfig, type DeployConfig, type RuntimeConfigJson } from './config';
import { Email } from './email';
import { Monitoring } from './monitoring';
import { iam5Resource } from './nag';
import { Payments } from './payments';
import { Processing, sendAsyncFailuresTo } from './processing';
import { LAMBDA_MAX_SECONDS, RUNNER_FILE, RUNNER_MARGIN_SECONDS, stageJob, type StagedJob } from './job-image';
import { acceptedExtensionsFor } from '../lambdas/processors/command/manifest';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { RuntimeBinding } from './runtime-binding';
import { Site } from './site';
import { Storage } from './storage';
import { UplockFunction, type UplockFunctionProps } from './uplock-function';

export interface UplockStackProps extends StackProps {
  readonly config: DeployConfig;
  /** The built pages. @default <repo>/frontend/dist */
  readonly frontendDir?: string;
  /** Where handler sources live. @default <repo>/lambdas/handlers */
  readonly handlersDir?: string;
}

/** Sizing that differs from the UplockFunction defaults (512 MB, 10 s). */
const FUNCTION_OVERRIDES: Partial<Record<FunctionName, Partial<UplockFunctionProps>>> = {
  // Stripe calls (refund of a duplicate) and an SES send can take a few seconds each.
  'stripe-webhook': { timeout: Duration.seconds(29) },
  'lookup-orders': { timeout: Duration.seconds(15) },
  // Lists and deletes an order's objects and items one by one: seconds for a large job's output.
  'erase-order': { timeout: Duration.seconds(29) },
  // 1,769 MB is one full vCPU: the processor is CPU-bound and streams, so memory is not the limit.
  'process-upload': { timeout: Duration.minutes(10), memorySize: 1769 },
  sweeper: { timeout: Duration.minutes(2) },
  'stripe-events': { timeout: Duration.seconds(30) },
};

export class UplockStack extends Stack {
  readonly storage: Storage;
  readonly email: Email;
  readonly payments: Payments;
  readonly api: Api;
  readonly site: Site;
  readonly processing: Processing;
  readonly monitoring: Monitoring;
  /** Every Lambda function, by handler or job name. */
  readonly functions = new Map<FunctionName, UplockFunction>();
  /** The operator's job image as a Lambda function (`uplock.job`, jobRuntime "lambda"); absent otherwise. */
  jobContainerFunction?: lambda.DockerImageFunction;
  /** The config every handler starts from (before its bindings). */
  readonly baseConfig: RuntimeConfigJson;
  /** Decides get-order's access row (lib/access.ts). */
  readonly paymentMode: DeployConfig['stripe']['paymentMode'];

  constructor(scope: Construct, id: string, props: UplockStackProps) {
    super(scope, id, { description: 'uplock: pay-per-result pipeline (site, API, job, Stripe, SES)', ...props });
    // An operator's job: staged (and checked against the runtime) before anything reads the config;
    // its manifest says what the shop accepts, which config may narrow, never widen.
    const job = props.config.job ? stageJob(props.config.job, props.config.jobRuntime) : undefined;
    const config: DeployConfig = job
      ? { ...props.config, acceptedExtensions: acceptedExtensionsFor(job.manifest, props.config.acceptedExtensions) }
      : props.config;
    this.paymentMode = config.stripe.paymentMode;
    const handlersDir = props.handlersDir ?? defaultHandlersDir;
    Tags.of(this).add('app', 'uplock');

    this.storage = new Storage(this, 'Storage', { retentionDays: config.retentionDays });
    this.email = new Email(this, 'Email', {
      senderEmail: config.senderEmail,
      ...(config.senderDomain ? { senderDomain: config.senderDomain } : {}),
      ...(config.hostedZone ? { hostedZone: config.hostedZone } : {}),
    });
    this.payments = new Payments(this, 'Payments', {
      ...(config.stripe.secretKeySecretName ? { secretKeySecretName: config.stripe.secretKeySecretName } : {}),
      ...(config.stripe.webhookSecretSecretName ? { webhookSecretSecretName: config.stripe.webhookSecretSecretName } : {}),
    });
    this.api = new Api(this, 'Api', config.apiThrottle);
    this.site = new Site(this, 'Site', {
      frontendDir: props.frontendDir ?? path.join(repoRoot, 'frontend', 'dist'),
      apiDomainName: this.api.domainName,
      dataBucketRegionalDomainName: this.storage.dataBucketRegionalDomainName,
      accessLogsBucket: this.storage.accessLogsBucket,
      ...(config.domainName ? { domainName: config.domainName } : {}),
      ...(config.certificateArn ? { certificateArn: config.certificateArn } : {}),
      ...(config.hostedZone ? { hostedZone: config.hostedZone } : {}),
    });
    this.storage.allowUploadsFrom(this.site.siteOrigins);

    const runtimeResources = {
      region: this.region,
      tableName: this.storage.table.tableName,
      bucketName: this.storage.dataBucket.bucketName,
      siteUrl: this.site.siteUrl,
    };
    // The wiring's handler gets the config without the wiring's own outputs (no cycle); every
    // other function gets the Payment Link and Price the wiring created. Dependency order:
    // HttpApi -> Distribution (site URL) -> wiring -> functions' UPLOCK_CONFIG -> routes.
    const wired = this.payments.wireStripe({
      entry: handlerEntry('stripe-wiring', handlersDir),
      tag: this.stackName,
      siteUrl: this.site.siteUrl,
      product: config.product,
      price: config.price,
      livemode: config.stripe.livemode,
      managePaymentLink: !(config.stripe.paymentLinkId || config.stripe.paymentLinkUrl),
      config: baseRuntimeConfig(config, runtimeResources),
    });
    this.baseConfig = baseRuntimeConfig(config, runtimeResources, wired);
    const resources: AccessResources = {
      table: this.storage.table,
      bucket: this.storage.dataBucket,
      secrets: this.payments.secrets,
      email: this.email,
    };
    const functionsScope = new Construct(this, 'Functions');
    const makeFunction = (name: FunctionName): UplockFunction => {
      const fn = new UplockFunction(functionsScope, pascal(name), {
        entry: handlerEntry(name, handlersDir),
        description: `uplock ${name}`,
        config: this.baseConfig,
        ...FUNCTION_OVERRIDES[name],
      });
      applyAccess(fn, accessFor(name, config.stripe.paymentMode), resources);
      this.functions.set(name, fn);
      return fn;
    };

    this.api.addRoutes(routes, (handler: HandlerName) => makeFunction(handler));

    const processFunction =
      config.jobRuntime !== 'lambda' ? undefined : job ? this.jobFunction(functionsScope, job, resources, config) : makeFunction('process-upload');
    this.processing = new Processing(this, 'Processing', {
      dataBucket: this.storage.dataBucket,
      ...(processFunction
        ? { processFunction }
        : {
            fargate: {
              ...(job ? { directory: job.context, entryPoint: ['node', `/var/task/${RUNNER_FILE}`] } : { directory: repoRoot }),
              bindTask: (taskRole: iam.IRole) => {
                const binding = new RuntimeBinding(taskRole, this.baseConfig);
                applyAccess(binding, accessFor('process-upload', config.stripe.paymentMode), resources);
                return binding.toJson(this);
              },
            },
          }),
    });
    const deadLetterQueue = this.processing.deadLetterQueue;

    const sweeper = makeFunction('sweeper');
    sendAsyncFailuresTo(sweeper, deadLetterQueue);
    this.payments.scheduleSweeper(sweeper, deadLetterQueue);
    // Always there: it refunds a paid order whose job failed (the job holds no Stripe client);
    // with an event destination it also takes Stripe's events from the partner bus.
    const stripeEvents = makeFunction('stripe-events');
    sendAsyncFailuresTo(stripeEvents, deadLetterQueue);
    this.payments.routeJobFailures(stripeEvents, this.storage.table.tableName, deadLetterQueue);
    if (config.stripe.eventBusName) this.payments.routeStripeEvents(config.stripe.eventBusName, stripeEvents, deadLetterQueue);

    const webhookFunction = this.functions.get('stripe-webhook');
    if (!webhookFunction) throw new Error('UplockStack: the route table has no stripe-webhook handler');
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      deadLetterQueue,
      uploadRule: this.processing.uploadRule,
      ...(processFunction ? { processFunction } : {}),
      webhookFunction,
      httpApi: this.api.httpApi,
      accessLogGroup: this.api.accessLogGroup,
    });

    this.acknowledgeScopedWildcards();
    this.acknowledgeCdkHelpers();

    new CfnOutput(this, SITE_URL_OUTPUT, { description: 'The shop page', value: this.site.siteUrl });
    new CfnOutput(this, RUNTIME_CONFIG_OUTPUT, {
      description: 'The runtime config the functions share (no secret values): what `npx uplock --stack` reads',
      value: this.toJsonString(this.operatorConfig()),
    });
    new CfnOutput(this, 'StripeWebhookUrl', {
      description: 'The Stripe webhook endpoint URL (registered by the deploy-time wiring; events: checkout.session.*, charge.refunded, charge.dispute.created)',
      value: `${this.site.siteUrl}/api/stripe/webhook`,
    });
    new CfnOutput(this, 'StripeSecretKeySecret', {
      description: 'Secrets Manager secret for the Stripe secret key (put the sk_... value here)',
      value: this.payments.secrets.secretKey.secretName,
    });
    new CfnOutput(this, 'StripeWebhookSecretSecret', {
      description: 'Secrets Manager secret for the webhook signing secret (the Stripe wiring writes it on deploy)',
      value: this.payments.secrets.webhookSecret.secretName,
    });
    new CfnOutput(this, 'StripeWired', {
      description: 'true once the deploy-time wiring found the Stripe key; false: put the key in StripeSecretKeySecret and deploy again (docs/deploy.md)',
      value: this.payments.wiringAttribute('Wired'),
    });
    new CfnOutput(this, 'StripePaymentLinkUrl', {
      description: 'The Payment Link the wiring manages (empty until wired; the deploy config may name another)',
      value: this.payments.wiringAttribute('PaymentLinkUrl'),
    });
    new CfnOutput(this, 'StripePriceId', { description: 'The Price the wiring manages (checkout-session mode charges it)', value: this.payments.wiringAttribute('PriceId') });
    new CfnOutput(this, 'StripeWebhookEndpointId', { description: 'The Stripe webhook endpoint the wiring manages', value: this.payments.wiringAttribute('WebhookEndpointId') });
    new CfnOutput(this, 'SmokeTestCommand', {
      description: 'Run this after every deploy: the end-to-end check of the live site (docs/deploy.md, last step)',
      value: `npx uplock --stack ${this.stackName} --region ${this.region} smoke --url ${this.site.siteUrl}`,
    });
    new CfnOutput(this, 'DataBucketName', { value: this.storage.dataBucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    new CfnOutput(this, 'CloudFrontDomainName', {
      description: 'Point a custom domain here (CNAME or alias) when the stack does not manage its DNS',
      value: this.site.distribution.distributionDomainName,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
  }

  /**
   * The config the operator's tool runs the functions' code with: the shared part plus the ids of
   * both Stripe secrets (ids only; the tool reads the values with the operator's credentials).
   */
  private operatorConfig(): RuntimeConfigJson {
    const secretId = (secret: { secretFullArn?: string; secretName: string }) => secret.secretFullArn ?? secret.secretName;
    return {
      ...this.baseConfig,
      stripe: {
        ...this.baseConfig.stripe,
        secretKeySecretId: secretId(this.payments.secrets.secretKey),
        webhookSecretSecretId: secretId(this.payments.secrets.webhookSecret),
      },
    };
  }

  /** The job folder's image as a Lambda container function (arm64), with the job's access row. */
  private jobFunction(scope: Construct, job: StagedJob, resources: AccessResources, config: DeployConfig): lambda.DockerImageFunction {
    // As for every UplockFunction: its own log group with retention, and a role with no managed
    // policy (AWSLambdaBasicExecutionRole would let it write to any log group).
    const logGroup = new logs.LogGroup(scope, 'ProcessJobLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(scope, 'ProcessJobRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'uplock job container function' });
    logGroup.grantWrite(role);
    const fn = new lambda.DockerImageFunction(scope, 'ProcessJob', {
      role,
      logGroup,
      description: `uplock job: ${job.manifest.name}`,
      code: lambda.DockerImageCode.fromImageAsset(job.context, { platform: Platform.LINUX_ARM64 }),
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(Math.min(LAMBDA_MAX_SECONDS, job.manifest.timeoutSeconds + RUNNER_MARGIN_SECONDS)),
      memorySize: 2048,
      // Input, output, scratch and the result zip (several unnamed results) live in /tmp, the
      // only writable place on Lambda; the results are streamed from there, never held in memory.
      ephemeralStorageSize: Size.mebibytes(Math.min(10240, Math.max(512, Math.ceil((2 * config.maxUploadBytes + 2 * job.manifest.maxOutputBytes) / 1048576)))),
    });
    const binding = new RuntimeBinding(fn, this.baseConfig);
    applyAccess(binding, accessFor('process-upload', config.stripe.paymentMode), resources);
    fn.addEnvironment('UPLOCK_CONFIG', binding.toJson(this));
    this.jobContainerFunction = fn;
    return fn;
  }

  /**
   * cdk-nag's IAM5 flags every `*` in a resource. Ours are key-prefix wildcards (`uploads/*`), the
   * `-??????` suffix Secrets Manager appends to a secret imported by name, and constructs AWS
   * ships (BucketDeployment, the ECS execution role). Each is acknowledged by its exact finding,
   * on the one policy that has it, with the reason.
   */
  private acknowledgeScopedWildcards(): void {
    for (const [name, fn] of this.functions) {
      const policy = fn.role?.node.tryFindChild('DefaultPolicy');
      if (policy) this.acknowledgeAccessWildcards(policy, accessFor(name, this.paymentMode));
    }
    const jobPolicy = this.jobContainerFunction?.role?.node.tryFindChild('DefaultPolicy');
    if (jobPolicy) this.acknowledgeAccessWildcards(jobPolicy, accessFor('process-upload', this.paymentMode));
    const taskPolicy = this.processing.taskDefinition?.taskRole.node.tryFindChild('DefaultPolicy');
    if (taskPolicy) this.acknowledgeAccessWildcards(taskPolicy, accessFor('process-upload', this.paymentMode));
  }

  private acknowledgeAccessWildcards(policy: IConstruct, access: HandlerAccess): void {
    const prefixes = new Set([...(access.bucket?.read ?? []), ...(access.bucket?.write ?? [])]);
    for (const prefix of prefixes) {
      Validations.of(policy).acknowledge({
        id: iam5Resource(this, this.storage.dataBucket.arnForObjects(`${prefix}*`)),
        reason: `Objects under ${prefix} only: keys are per order (named by order id), so the prefix is the narrowest fixed resource.`,
      });
    }
    for (const kind of access.secrets ?? []) {
      const secret = this.payments.secrets[kind];
      if (secret.secretFullArn) continue;
      Validations.of(policy).acknowledge({
        id: iam5Resource(this, `${secret.secretArn}-??????`),
        reason: 'A secret imported by name: Secrets Manager appends six random characters to its ARN, matched by -??????.',
      });
    }
  }

  /**
   * Two Lambda-backed helpers that aws-cdk-lib itself adds at stack level: BucketDeployment's
   * (copies frontend/dist into the site bucket and invalidates CloudFront) and the one that turns on
   * the data bucket's EventBridge notifications. Their code and policies are AWS's, not ours.
   */
  private acknowledgeCdkHelpers(): void {
    const qualifierContext: unknown = this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier');
    const qualifier = typeof qualifierContext === 'string' ? qualifierContext : 'hnb659fds';
    const helperReason =
      'aws-cdk-lib BucketDeployment helper: it runs only during deployment, copying the built pages into the site bucket and invalidating CloudFront.';
    for (const child of this.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        const acks: [string, string][] = [
          ['AwsSolutions-L1', 'aws-cdk-lib pins the runtime of its BucketDeployment helper; it is not ours to change.'],
          ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', `${helperReason} The managed policy only lets it write its own logs.`],
          ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map(
            (action): [string, string] => [`AwsSolutions-IAM5[Action::${action}]`, `${helperReason} It syncs whole folders, so it needs these action groups on the asset and site buckets only.`],
          ),
          [iam5Resource(this, `arn:${this.partition}:s3:::cdk-${qualifier}-assets-${this.account}-${this.region}/*`), `${helperReason} It reads the uploaded asset from the CDK bootstrap bucket.`],
          [iam5Resource(this, this.site.bucket.arnForObjects('*')), `${helperReason} It replaces every page in the site bucket.`],
          ['AwsSolutions-IAM5[Resource::*]', `${helperReason} cloudfront:CreateInvalidation does not support resource-level permissions.`],
        ];
        for (const [id, reason] of acks) Validations.of(child).acknowledge({ id, reason });
      }
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'aws-cdk-lib helper that turns on EventBridge notifications for the data bucket at deploy time; the managed policy only lets it write its own logs.',
        });
      }
    }
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
