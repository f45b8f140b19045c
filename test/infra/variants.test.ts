/**
 * The other deployment shapes: the job on Fargate, a custom domain with its certificate and
 * Route 53 zone, secrets imported by name, a Stripe event destination bus and an alarm email.
 * Handlers are not bundled here (stack.test.ts does that): these tests look at the infrastructure.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerAccess } from '../../lib/access';
import { parseDeployConfig, type DeployConfig } from '../../lib/config';
import { JOB_CONTAINER_NAME } from '../../lib/processing';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../lambdas/contract';
import type { UplockStack } from '../../lib/uplock-stack';
import { cdkJson, synthesize, type Synthesized } from './support';
import { grantLines, grantsOfRole, joinWithPlaceholders, logicalId } from './template-tools';
import { parseConfig } from '../../lambdas/config';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-123456789012';
const BUS = 'aws.partner/stripe.com/ed_61Test';

function fargateConfig(): DeployConfig {
  const defaults = cdkJson.context.uplock as Record<string, unknown> & { stripe: Record<string, unknown> };
  return parseDeployConfig({
    ...defaults,
    jobRuntime: 'fargate',
    senderEmail: 'orders@shop.example.com',
    senderDomain: 'shop.example.com',
    domainName: 'files.shop.example.com',
    certificateArn: CERTIFICATE_ARN,
    hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'shop.example.com' },
    alarmEmail: 'ops@shop.example.com',
    stripe: {
      ...defaults.stripe,
      livemode: true,
      paymentLinkId: 'plink_1TestLink',
      paymentLinkUrl: 'https://buy.stripe.com/test_123',
      secretKeySecretName: 'uplock/stripe-secret-key',
      webhookSecretSecretName: 'uplock/stripe-webhook-secret',
      eventBusName: BUS,
    },
  });
}

let synth: Synthesized;
let stack: UplockStack;
let template: Template;

beforeAll(() => {
  // A known account and region, as `cdk deploy` has them: ARNs become literals.
  synth = synthesize({ config: fargateConfig(), bundle: false, env: { account: '123456789012', region: 'eu-west-1' } });
  stack = synth.stack;
  template = synth.template;
}, 180_000);

describe('fargate job', () => {
  it('runs the job as an ARM64 Fargate task instead of a Lambda function', () => {
    expect(stack.functions.has('process-upload')).toBe(false);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({ Name: JOB_CONTAINER_NAME, LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) })],
    });
  });

  it('starts the task from the upload rule with bucket and key as container environment overrides, public IP, retries and DLQ', () => {
    const rule = template.findResources('AWS::Events::Rule')[logicalId(stack.processing.uploadRule)] as { Properties: { Targets: Record<string, unknown>[] } };
    const target = rule.Properties.Targets[0];

    expect(target).toMatchObject({
      EcsParameters: { LaunchType: 'FARGATE', NetworkConfiguration: { AwsVpcConfiguration: { AssignPublicIp: 'ENABLED' } } },
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.processing.deadLetterQueue), 'Arn'] } },
    });
    const transformer = target?.InputTransformer as { InputPathsMap: Record<string, string>; InputTemplate: string };
    expect(Object.values(transformer.InputPathsMap).sort()).toEqual(['$.detail.bucket.name', '$.detail.object.key']);
    const input = JSON.parse(transformer.InputTemplate.replace(/<([a-z-]+)>/gi, '"<$1>"').replace(/""/g, '"')) as {
      containerOverrides: { name: string; environment: { name: string; value: string }[] }[];
    };
    expect(input.containerOverrides[0]?.name).toBe(JOB_CONTAINER_NAME);
    expect(input.containerOverrides[0]?.environment.map((e) => e.name)).toEqual(['UPLOCK_S3_BUCKET', 'UPLOCK_S3_KEY']);
  });

  it('puts the task in public subnets of a VPC with no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as { Properties: { MapPublicIpOnLaunch: boolean } }[];
    expect(subnets.length).toBeGreaterThan(0);
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
    });
  });

  it('gives the task role exactly the Lambda job\'s access row, and its config the secret names', () => {
    const taskRole = stack.processing.taskDefinition?.taskRole;
    if (!taskRole) throw new Error('no task role');
    const lines = grantLines(grantsOfRole(template, logicalId(taskRole)));
    const bucket = `<${logicalId(stack.storage.dataBucket)}.Arn>`;

    expect(handlerAccess['process-upload'].bucket.write).toEqual(['results/', 'previews/']);
    expect(lines).toContain(`s3:GetObject ${bucket}/uploads/*`);
    expect(lines).toContain(`s3:PutObject ${bucket}/results/*`);
    expect(lines).toContain(`s3:PutObject ${bucket}/previews/*`);
    expect(lines).toContain('secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:uplock/stripe-secret-key-??????');
    expect(lines.filter((l) => l.startsWith('s3:'))).toHaveLength(4);
    const container = (Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: { Environment: { Name: string; Value: unknown }[] }[] } }).Properties.ContainerDefinitions[0];
    const env = container?.Environment.find((e) => e.Name === 'UPLOCK_CONFIG');
    const config = parseConfig(JSON.parse(joinWithPlaceholders(env?.Value, (_x, i) => `token${i}.example`)));
    expect(config.stripe.secretKeySecretId).toBe('uplock/stripe-secret-key');
    expect(config.stripe.webhookSecretSecretId).toBeUndefined();
    expect(config.siteUrl).toBe('https://files.shop.example.com');
  });

  it('parks tasks that exit non-zero in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ecs'], detail: Match.objectLike({ lastStatus: ['STOPPED'] }) }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.processing.deadLetterQueue), 'Arn'] } })],
    });
  });
});

describe('custom domain', () => {
  it('serves the site on the domain with the certificate and TLS 1.2 at least', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['files.shop.example.com'],
        ViewerCertificate: { AcmCertificateArn: CERTIFICATE_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      }),
    });
  });

  it('creates A and AAAA alias records in the zone', () => {
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'files.shop.example.com.', Type: type, HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    }
  });

  it('allows uploads from the custom domain and outputs the webhook URL on it', () => {
    template.hasOutput('StripeWebhookUrl', { Value: 'https://files.shop.example.com/api/stripe/webhook' });
    const data = template.findResources('AWS::S3::Bucket')[logicalId(stack.storage.dataBucket)] as { Properties: { CorsConfiguration: { CorsRules: { AllowedOrigins: unknown[] }[] } } };
    expect(data.Properties.CorsConfiguration.CorsRules[0]?.AllowedOrigins[0]).toBe('https://files.shop.example.com');
  });

  it('verifies the sender domain with DKIM records in the zone', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'shop.example.com' });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'CNAME' }, 3);
  });
});

describe('payments and alarms', () => {
  it('references the named secrets instead of creating placeholders', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('routes the Stripe event types from the partner bus to stripe-events, with retries and DLQ', () => {
    const stripeEvents = stack.functions.get('stripe-events');
    if (!stripeEvents) throw new Error('no stripe-events function');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: BUS,
      EventPattern: { source: [{ prefix: 'aws.partner/stripe.com' }], 'detail-type': [...HANDLED_STRIPE_EVENT_TYPES] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stripeEvents), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('lets stripe-events read the API key but not the webhook signing secret', () => {
    const stripeEvents = stack.functions.get('stripe-events');
    const lines = grantLines(grantsOfRole(template, logicalId(stripeEvents?.role ?? stack)));

    expect(lines.filter((l) => l.startsWith('secretsmanager:'))).toEqual([
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:uplock/stripe-secret-key-??????',
    ]);
  });

  it('subscribes the alarm email to the topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.example.com' });
  });
});

describe('cdk-nag AWS Solutions', () => {
  it('has no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);

    expect(report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((x) => x.constructPath).join(', ')}`)).toEqual([]);
  });
});
