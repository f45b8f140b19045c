/**
 * The process job, started by S3's "Object Created" event for `uploads/` on the default
 * EventBridge bus (or the sweeper's re-announcement of it, same shape): a Lambda function by default, or (jobRuntime "fargate") the same job code as a
 * Fargate task for files past Lambda's 15-minute / 10 GB limits. Deliveries EventBridge gives up
 * on, failed asynchronous invocations and failed tasks all land in one dead-letter queue.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UPLOCK_EVENT_SOURCE } from '../lambdas/contract';
import { iam5Resource } from './nag';

/** Key prefix whose new objects start the job. */
export const UPLOAD_PREFIX = 'uploads/';
/** Container that runs the job in the Fargate task. */
export const JOB_CONTAINER_NAME = 'process-job';

/** EventBridge retries a failed delivery twice, for at most an hour, then dead-letters it. */
export const JOB_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(1) } as const;

export interface FargateJobOptions {
  /** Directory holding the Dockerfile (the repository root). */
  readonly directory: string;
  /** @default 'Dockerfile' */
  readonly dockerfile?: string;
  /**
   * Grants the task role what the job uses and returns the `UPLOCK_CONFIG` JSON (a token) for
   * the container: the same access row the Lambda job gets (lib/access.ts).
   */
  readonly bindTask: (taskRole: iam.IRole) => string;
  /** The container's entry point. @default - the image's own */
  readonly entryPoint?: string[];
  /** @default 1024 (1 vCPU) */
  readonly cpu?: number;
  /** @default 2048 */
  readonly memoryLimitMiB?: number;
}

export interface ProcessingProps {
  readonly dataBucket: IBucket;
  /** Lambda job: the process-upload function. Exactly one of `processFunction` / `fargate`. */
  readonly processFunction?: IFunction;
  /** Fargate job. */
  readonly fargate?: FargateJobOptions;
}

export class Processing extends Construct {
  /** Every asynchronous failure of the pipeline ends up here; its depth is alarmed. */
  readonly deadLetterQueue: sqs.Queue;
  readonly uploadRule: events.Rule;
  readonly cluster?: ecs.Cluster;
  readonly taskDefinition?: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: ProcessingProps) {
    super(scope, id);
    if (Boolean(props.processFunction) === Boolean(props.fargate)) {
      throw new Error('Processing: give exactly one of processFunction (jobRuntime "lambda") or fargate (jobRuntime "fargate")');
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge targets and asynchronous Lambda invocations.',
    });

    this.uploadRule = new events.Rule(this, 'UploadCreated', {
      description: 'uplock: a customer upload arrived under uploads/ (or the sweeper announced it again): run the process job',
      eventPattern: {
        // S3's own event, or the sweeper's re-announcement of an upload whose job was killed (same
        // detail type and shape: lambdas/adapters/event-bus.ts), so every job target sees one event form.
        source: ['aws.s3', UPLOCK_EVENT_SOURCE],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.dataBucket.bucketName] },
          object: { key: events.Match.prefix(UPLOAD_PREFIX) },
        },
      },
    });
    const retry = { ...JOB_RETRY, deadLetterQueue: this.deadLetterQueue };

    if (props.processFunction) {
      this.uploadRule.addTarget(new targets.LambdaFunction(props.processFunction, retry));
      // EventBridge invokes asynchronously: a job that throws is retried by Lambda, then parked.
      sendAsyncFailuresTo(props.processFunction, this.deadLetterQueue);
      return;
    }

    const fargate = props.fargate;
    if (!fargate) return;
    const vpc = new ec2.Vpc(this, 'JobVpc', {
      maxAzs: 2,
      // Public subnets only: the task reaches S3, DynamoDB, SES and Stripe over the internet
      // gateway with a public IP, so there is no NAT gateway to pay for (~$33/month each).
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      // The default security group is never used; restricting it needs a custom-resource Lambda.
      restrictDefaultSecurityGroup: false,
    });
    vpc.addFlowLog('RejectedFlows', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'uplock process task: no inbound, HTTPS out',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs and Stripe over HTTPS');

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: fargate.cpu ?? 1024,
      memoryLimitMiB: fargate.memoryLimitMiB ?? 2048,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const config = fargate.bindTask(this.taskDefinition.taskRole);
    this.taskDefinition.addContainer(JOB_CONTAINER_NAME, {
      image: ecs.ContainerImage.fromAsset(fargate.directory, { file: fargate.dockerfile ?? 'Dockerfile', platform: Platform.LINUX_ARM64 }),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'process',
        logGroup: new logs.LogGroup(this, 'TaskLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      }),
      environment: { UPLOCK_CONFIG: config, NODE_OPTIONS: '--enable-source-maps' },
      ...(fargate.entryPoint ? { entryPoint: fargate.entryPoint } : {}),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'UPLOCK_CONFIG holds names and settings only; the Stripe secrets are read from Secrets Manager at run time and never appear in the environment.',
    });

    this.uploadRule.addTarget(
      new targets.EcsTask({
        cluster: this.cluster,
        taskDefinition: this.taskDefinition,
        launchType: ecs.LaunchType.FARGATE,
        subnetSelection: { subnetType: ec2.SubnetType.PUBLIC },
        assignPublicIp: true,
        securityGroups: [securityGroup],
        containerOverrides: [
          {
            containerName: JOB_CONTAINER_NAME,
            environment: [
              { name: 'UPLOCK_S3_BUCKET', value: events.EventField.fromPath('$.detail.bucket.name') },
              { name: 'UPLOCK_S3_KEY', value: events.EventField.fromPath('$.detail.object.key') },
            ],
          },
        ],
        ...retry,
      }),
    );

    const executionPolicy = this.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      Validations.of(executionPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ECS execution role: ecr:GetAuthorizationToken does not support resource-level permissions; image pulls are scoped to the asset repository.',
      });
    }
    const eventsPolicy = this.taskDefinition.node.tryFindChild('EventsRole')?.node.tryFindChild('DefaultPolicy');
    if (eventsPolicy) {
      Validations.of(eventsPolicy).acknowledge({
        id: iam5Resource(this, `arn:${Stack.of(this).partition}:ecs:${Stack.of(this).region}:*:task/${this.cluster.clusterName}/*`),
        reason: 'EventBridge tags the tasks it starts; task ids are random, so the grant is every task of this cluster only.',
      });
    }

    // A task that exits non-zero failed the job: park its stop event with the other failures.
    new events.Rule(this, 'TaskFailed', {
      description: 'uplock: a process task stopped with a non-zero exit code',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [this.cluster.clusterArn],
          lastStatus: ['STOPPED'],
          containers: { name: [JOB_CONTAINER_NAME], exitCode: [{ 'anything-but': 0 }] },
        },
      },
      targets: [new targets.SqsQueue(this.deadLetterQueue)],
    });
  }
}

/** Lambda retries a failed asynchronous invocation twice, then sends the event to the queue. */
export function sendAsyncFailuresTo(fn: IFunction, queue: sqs.IQueue): void {
  fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(queue) });
}
