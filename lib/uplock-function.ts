/**
 * Every uplock Lambda function: one place for the defaults (Node 24 on ARM64, ESM bundle with the
 * AWS SDK inside, source maps, a log group with retention, a role with no managed policies) and
 * for the `bind…` methods that grant IAM and write `UPLOCK_CONFIG` together.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import * as path from 'node:path';
import { lambdaArchitecture, lambdaRuntime, nodejsBundlingOptions, repoRoot } from './bundling';
import type { RuntimeConfigJson } from './config';
import {
  RuntimeBinding,
  type BucketAccess,
  type EmailSending,
  type StripeSecretKind,
  type TableAccess,
  type TableBindingOptions,
} from './runtime-binding';

export const CONFIG_ENV = 'UPLOCK_CONFIG';

export interface UplockFunctionProps extends NodejsFunctionProps {
  /** Path of the handler file, exporting `handler`. */
  readonly entry: string;
  /** Runtime config every handler gets; `bind…` calls add the names and secret ids. */
  readonly config: RuntimeConfigJson;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

export class UplockFunction extends NodejsFunction {
  private readonly binding: RuntimeBinding;
  /** The function's log group (created here unless the caller passed one). */
  readonly functionLogGroup: logs.ILogGroupRef;

  constructor(scope: Construct, id: string, props: UplockFunctionProps) {
    if (props.environment && CONFIG_ENV in props.environment) {
      throw new Error(`UplockFunction ${id}: pass the runtime config as \`config\`, not as environment.${CONFIG_ENV}`);
    }
    const { config, logRetention, ...functionProps } = props;
    const ownLogGroup = props.logGroup
      ? undefined
      : new logs.LogGroup(scope, `${id}Logs`, {
          retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
          // Logs are operational data, not customer records: they go with the stack.
          removalPolicy: RemovalPolicy.DESTROY,
        });
    const logGroup = props.logGroup ?? ownLogGroup;
    // No AWSLambdaBasicExecutionRole: it allows writing to any log group. This role may write to
    // its own log group only (granted below), plus what the bind… calls add.
    const role =
      props.role ??
      new iam.Role(scope, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `uplock ${path.basename(props.entry, '.ts')} handler`,
      });
    const defaults = nodejsBundlingOptions();
    super(scope, id, {
      runtime: lambdaRuntime,
      architecture: lambdaArchitecture,
      memorySize: 512,
      timeout: Duration.seconds(10),
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      handler: 'handler',
      ...functionProps,
      role,
      logGroup,
      bundling: { ...defaults, ...props.bundling },
      // Defaults only where the caller said nothing: a caller's variable always wins.
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    if (!logGroup) throw new Error('unreachable: a log group is always set');
    this.functionLogGroup = logGroup;
    ownLogGroup?.grantWrite(role);
    this.binding = new RuntimeBinding(this, config);
    this.addEnvironment(CONFIG_ENV, this.binding.toJson(this));
  }

  /** Read, write or both on the table's items (and query its GSIs named in `options.indexes`). */
  bindTable(table: ITable, access: TableAccess, options?: TableBindingOptions): this {
    this.binding.bindTable(table, access, options);
    return this;
  }

  /** Object access under the given key prefixes only. */
  bindBucket(bucket: IBucket, access: BucketAccess): this {
    this.binding.bindBucket(bucket, access);
    return this;
  }

  /** Read one Stripe secret; its id (never its value) goes into the config. */
  bindSecret(secret: ISecret, kind: StripeSecretKind, secretId?: string): this {
    this.binding.bindSecret(secret, kind, secretId);
    return this;
  }

  /** Send email from the configured identity through its configuration set. */
  bindEmail(email: EmailSending): this {
    this.binding.bindEmail(email);
    return this;
  }

  /** Put the pipeline's own events on the default EventBridge bus. */
  bindEvents(): this {
    this.binding.bindEvents();
    return this;
  }

  /** The runtime config with every binding so far (tokens unresolved). */
  get runtimeConfig(): RuntimeConfigJson {
    return this.binding.runtimeConfig;
  }
}
