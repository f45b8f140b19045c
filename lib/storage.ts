/**
 * Where orders and files live: the private data bucket (uploads/, results/, previews/) and the
 * orders table. Also the access-log bucket the other buckets write their server access logs to.
 */
import { Aws, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EMAIL_INDEX } from './access';

/** Prefixes the pipeline writes; each expires after the retention period. */
export const DATA_PREFIXES = ['uploads/', 'results/', 'previews/'] as const;

export interface StorageProps {
  /** Days uploads, results and previews are kept before S3 deletes them. */
  readonly retentionDays: number;
  /**
   * What happens to the data bucket and the table when the stack is deleted. Paid orders and
   * their results are customer records, so the safe default keeps them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class Storage extends Construct {
  readonly dataBucket: s3.Bucket;
  /** `<bucket>.s3.<region>.amazonaws.com`: the presigned POST target the site's CSP allows. */
  readonly dataBucketRegionalDomainName: string;
  readonly table: dynamodb.Table;
  readonly accessLogsBucket: s3.Bucket;
  readonly emailIndexName = EMAIL_INDEX;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(`Storage: retentionDays must be a positive whole number, got ${props.retentionDays}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });

    // The bucket name is derived from the stack's own id instead of left to CloudFormation: the
    // site's CSP must name the bucket's domain and the bucket's CORS must name the site's origin,
    // and with a generated name those two references form a cycle. The stack id's UUID part is
    // unique per stack instance, so names never collide, even after a delete and redeploy.
    const bucketName = Fn.join('-', ['uplock-data', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    this.dataBucket = new s3.Bucket(this, 'Data', {
      bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      // The job is triggered by "Object Created" events on the default bus.
      eventBridgeEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        ...DATA_PREFIXES.map((prefix) => ({
          id: `expire-${prefix.replace('/', '')}`,
          prefix,
          expiration: Duration.days(props.retentionDays),
        })),
        // A presigned POST that died half-way leaves nothing, but multipart leftovers cost money.
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });
    this.dataBucketRegionalDomainName = Fn.join('', [bucketName, '.s3.', Aws.REGION, '.', Aws.URL_SUFFIX]);

    this.table = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: EMAIL_INDEX,
      partitionKey: { name: 'email', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** Let the site's pages POST uploads straight to the bucket (the presigned POST form). */
  allowUploadsFrom(siteOrigins: readonly string[]): void {
    this.dataBucket.addCorsRule({
      allowedMethods: [s3.HttpMethods.POST],
      allowedOrigins: [...siteOrigins],
      allowedHeaders: ['*'],
      maxAge: 3000,
    });
  }
}
