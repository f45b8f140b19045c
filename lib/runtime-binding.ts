/**
 * Grants and runtime config, always together: each `bind…` call gives an IAM principal exactly the
 * actions a handler uses on one resource AND writes that resource's name into the handler's
 * `UPLOCK_CONFIG`, so permissions and configuration cannot drift apart. Used by `UplockFunction`
 * (Lambda) and by the Fargate process task, which run the same job code.
 */
import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import type { RuntimeConfigJson } from './config';

/** `write` = put/update/delete items without reading them (e.g. create an order). */
export type TableAccess = 'read' | 'write' | 'readwrite';

/** Reads beyond single items and queries, for the one function that walks many items (the sweeper). */
export type TableBulkRead = 'dynamodb:BatchGetItem' | 'dynamodb:Scan';

export interface TableBindingOptions {
  /** GSIs the handler queries; only `read` access reaches them. @default - none */
  readonly indexes?: readonly string[];
  /** Batched reads and scans of the table's items; only `read` access reaches them. @default - none */
  readonly bulkReads?: readonly TableBulkRead[];
}

export interface BucketAccess {
  /** Key prefixes the handler reads objects under, e.g. `previews/`. @default - none */
  readonly read?: readonly string[];
  /** Key prefixes the handler writes (or presigns uploads) under, e.g. `uploads/`. @default - none */
  readonly write?: readonly string[];
  /** Key prefixes the handler deletes objects under (erasing an order's data). @default - none */
  readonly delete?: readonly string[];
}

/** Which Stripe secret a handler receives: the API key or the webhook signing secret. */
export type StripeSecretKind = 'secretKey' | 'webhookSecret';

/** Where the pipeline sends email from: the SES identity and its configuration set. */
export interface EmailSending {
  readonly identityArn: string;
  readonly configurationSetArn: string;
  /** Named on every SendEmail, so the set applies whatever identity SES matches the sender to. */
  readonly configurationSetName: string;
}

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

export class RuntimeBinding {
  private readonly config: RuntimeConfigJson;

  constructor(
    private readonly grantee: iam.IGrantable,
    baseConfig: RuntimeConfigJson,
  ) {
    // A private copy: bindings of one handler must not leak into another's config.
    this.config = structuredCloneConfig(baseConfig);
  }

  /** Grant item access on the table (and GSIs for reads) and name the table in the config. */
  bindTable(table: ITable, access: TableAccess, options: TableBindingOptions = {}): void {
    const read = access === 'read' || access === 'readwrite';
    const write = access === 'write' || access === 'readwrite';
    const bulk = options.bulkReads ?? [];
    if (bulk.length > 0 && !read) throw new Error(`bindTable: ${bulk.join(', ')} need read access, got "${access}"`);
    const actions = [...(read ? TABLE_READ_ACTIONS : []), ...bulk, ...(write ? TABLE_WRITE_ACTIONS : [])];
    this.grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
    const indexes = options.indexes ?? [];
    if (indexes.length > 0) {
      if (!read) throw new Error(`bindTable: indexes (${indexes.join(', ')}) need read access, got "${access}"`);
      this.grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    this.config.tableName = table.tableName;
  }

  /**
   * Grant object reads/writes limited to key prefixes and name the bucket in the config. Reads
   * also get `s3:ListBucket` restricted to the same prefixes, so a missing object is a 404
   * (NoSuchKey) rather than a 403 the handler would mistake for a permissions fault.
   */
  bindBucket(bucket: IBucket, access: BucketAccess): void {
    const read = (access.read ?? []).map(checkPrefix);
    const write = (access.write ?? []).map(checkPrefix);
    const remove = (access.delete ?? []).map(checkPrefix);
    if (read.length === 0 && write.length === 0 && remove.length === 0) throw new Error('bindBucket: give at least one read, write or delete prefix');
    const principal = this.grantee.grantPrincipal;
    if (read.length > 0) {
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: read.map((p) => bucket.arnForObjects(`${p}*`)) }),
      );
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': read.map((p) => `${p}*`) } },
        }),
      );
    }
    if (write.length > 0) {
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: write.map((p) => bucket.arnForObjects(`${p}*`)) }),
      );
    }
    if (remove.length > 0) {
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: remove.map((p) => bucket.arnForObjects(`${p}*`)) }),
      );
    }
    this.config.bucketName = bucket.bucketName;
  }

  /**
   * Grant `GetSecretValue` on one secret and put its id (never its value) in the config.
   * `secretId` defaults to the full ARN, or the name for a secret imported by name.
   */
  bindSecret(secret: ISecret, kind: StripeSecretKind, secretId?: string): void {
    // An imported-by-name secret has no full ARN: Secrets Manager appends six random characters.
    const resource = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    this.grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource] }),
    );
    const id = secretId ?? secret.secretFullArn ?? secret.secretName;
    if (kind === 'secretKey') this.config.stripe.secretKeySecretId = id;
    else this.config.stripe.webhookSecretSecretId = id;
  }

  /** Grant `ses:SendEmail` scoped to the sender identity and its configuration set, and name the set in the config. */
  bindEmail(email: EmailSending): void {
    this.grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [email.identityArn, email.configurationSetArn] }),
    );
    this.config.emailConfigurationSet = email.configurationSetName;
  }

  /**
   * Grant `events:PutEvents` on the account's default bus, where the stack's rules for the
   * pipeline's own events are (lib/payments.ts, lib/processing.ts). Nothing goes in the config: the
   * SDK puts on the default bus when no bus is named.
   */
  bindEvents(): void {
    // Functions and the task role alike are constructs: the bus is in their stack's account and region.
    const bus = Stack.of(this.grantee as unknown as IConstruct).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    this.grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus] }));
  }

  /** The config as it stands now (tokens unresolved). */
  get runtimeConfig(): RuntimeConfigJson {
    return structuredCloneConfig(this.config);
  }

  /** `UPLOCK_CONFIG` as a string token that resolves to the JSON (tokens become Fn::Join). */
  toJson(scope: IConstruct): string {
    // Lazy: bindings made after this call still reach the JSON.
    return Lazy.string({ produce: () => Stack.of(scope).toJsonString(this.config) });
  }
}

function checkPrefix(prefix: string): string {
  if (!/^[a-z0-9-]+\/$/.test(prefix)) throw new Error(`bucket prefix "${prefix}" must be a folder like "uploads/"`);
  return prefix;
}

/** Tokens are plain strings at synth, so a JSON round-trip copies them faithfully. */
function structuredCloneConfig(config: RuntimeConfigJson): RuntimeConfigJson {
  return JSON.parse(JSON.stringify(config)) as RuntimeConfigJson;
}
