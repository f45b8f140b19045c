/**
 * The local cloud behind `npm start` and the integration tests: DynamoDB (dynalite), S3 (s3rver),
 * SES (aws-ses-v2-local), Stripe (local/stripe), the EventBridge bus (S3's events and the
 * pipeline's own, with the stack's rules: local/event-bus.ts) and the gateway, all on 127.0.0.1.
 * The handlers run in this process with the real SDK clients pointed at the stand-ins.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Context } from 'aws-lambda';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import * as sesModule from 'aws-ses-v2-local';
import type { RuntimeConfig } from '../lambdas/config';
import { awsClientSettings, s3ClientSettings } from '../lambdas/adapters/clients';
import { stripeClient } from '../lambdas/adapters/stripe-client';
import { wireStripe } from '../lambdas/adapters/stripe-wiring';
import { defaultProcessor } from '../lambdas/processors';
import { installFaultHook } from '../lambdas/adapters/fault-hook';
import { acceptedExtensionsFor, loadJobFolder } from '../lambdas/processors/command/manifest';
import { LocalEventBus, type LocalRule } from './event-bus';
import { JOB_FAILED_DETAIL_TYPE, UPLOAD_ANNOUNCED_DETAIL_TYPE, UPLOCK_EVENT_SOURCE } from '../lambdas/contract';
import { keepSentMail } from './sent-mail';
import { FaultSwitchboard, parseFaultPlan, type FaultPlan } from './faults';
import { LocalSesAccount, type SesQuota } from './ses-account';
import { DEFAULT_FUNCTION_TIMEOUT_MS, lambdaContext } from './lambda-context';
import { startGateway, type Gateway } from './gateway';
import { startStripeStandIn, type StripeStandIn, type StripeStandInOptions } from './stripe/server';
import {
  DEFAULT_PORTS,
  LOCAL_BUCKET as BUCKET,
  LOCAL_STRIPE_KEY,
  LOCAL_STRIPE_TAG,
  LOCAL_TABLE as TABLE,
  localProductAndPrice,
  localRuntimeConfig,
  type ConfigOverrides,
  type Service,
} from './runtime-config';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export { DEFAULT_PORTS, type ConfigOverrides, type Service } from './runtime-config';

export interface LocalCloudOptions {
  /** Where data lives (`.uplock/` for `npm start`, a temp dir in tests). */
  dataDir: string;
  /** Port per service; 0 picks a free one. Defaults: DEFAULT_PORTS. */
  ports?: Partial<Record<Service, number>>;
  /** Wipe dataDir first. */
  reset?: boolean;
  config?: ConfigOverrides;
  /** Knobs of the Stripe stand-in (retry backoff, settle and dispute delays) for tests. */
  stripe?: Pick<StripeStandInOptions, 'webhookRetryBaseMs' | 'webhookMaxAttempts' | 'settleAfterMs' | 'disputeAfterMs'>;
  /** How often the reconciliation sweeper runs (scheduled in AWS); 0 = never (tests call it). Default 60. */
  sweepIntervalSeconds?: number;
  /** A job folder (docs/jobs.md) to run instead of the built-in data profile: `npm start -- --job <folder>`. */
  job?: string;
  /** Directory of the built frontend; defaults to frontend/dist. */
  staticDir?: string;
  /** The deadline each handler's Lambda context carries (ms); default the stack's 10 s. */
  functionTimeoutMs?: number;
  /** Faults set from the start (local/faults.ts; `UPLOCK_FAULTS` for `npm start`). */
  faults?: FaultPlan;
  /** The local SES account's sending quota (local/ses-account.ts); default DEFAULT_SES_QUOTA. */
  ses?: Partial<SesQuota>;
  log?: (line: string) => void;
}

export interface LocalCloud {
  readonly urls: {
    site: string;
    mailViewer: string;
    /** aws-ses-v2-local's JSON store of sent emails. */
    sesStore: string;
    stripe: string;
    s3: string;
    dynamodb: string;
  };
  readonly config: RuntimeConfig;
  /** The local stand-in, or real Stripe test mode (STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET set). */
  readonly stripeMode: 'stand-in' | 'test-mode';
  readonly webhookSecret: string;
  /** Resolves when every process job started so far has finished. */
  idle(): Promise<void>;
  /** Run the sweeper now, as its schedule would. */
  sweep(): Promise<unknown>;
  /** Faults on demand (also at `POST /__local/faults` on the gateway). */
  readonly faults: FaultSwitchboard;
  /** The local SES account: its quota answers SESv2 GetAccount and limits SendEmail. */
  readonly sesAccount: LocalSesAccount;
  /**
   * Graceful stop: no new requests, the sweeper, every running handler, job and delivery
   * finishes, then the servers close.
   */
  stop(): Promise<void>;
}

/** The sweeper's timeout in the stack (lib/payments.ts). */
const SWEEPER_TIMEOUT_MS = 120_000;

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/** CORS for the browser's presigned POST upload (the CDK storage construct sets the same in AWS). */
const CORS_XML = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

export async function startLocalCloud(opts: LocalCloudOptions): Promise<LocalCloud> {
  const log = opts.log ?? (() => undefined);
  // Lambda runs Node 22; on a Node 20 laptop the SDK's upgrade notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ports = { ...DEFAULT_PORTS, ...opts.ports };
  const dataDir = path.resolve(opts.dataDir);
  if (opts.reset) await rm(dataDir, { recursive: true, force: true });
  await mkdir(path.join(dataDir, 'dynamodb'), { recursive: true });
  await mkdir(path.join(dataDir, 's3'), { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: unknown) => log(`stop: ${String(e)}`));
  };
  const faults = new FaultSwitchboard(log);
  if (opts.faults) faults.set(opts.faults);
  installFaultHook(faults.hook);
  const functionTimeoutMs = opts.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;

  let bus: LocalEventBus | undefined;
  // An operator's job: its manifest says what the shop accepts (config may only narrow it).
  const jobFolder = opts.job ? loadJobFolder(opts.job) : undefined;
  try {
    // DynamoDB
    const dynamo = dynalite({ path: path.join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    faults.guardDynamoDb(dynamo);
    const dynamoPort = await listen(dynamo, ports.dynamodb);
    stops.push(() => closeServer(dynamo));
    const dynamoUrl = `http://127.0.0.1:${dynamoPort}`;
    await ensureTable(dynamoUrl);

    // S3, with its object-created events on the local bus
    const s3rver = new S3rver({
      address: '127.0.0.1',
      port: ports.s3,
      directory: path.join(dataDir, 's3'),
      silent: true,
      configureBuckets: [{ name: BUCKET, configs: [CORS_XML] }],
    });
    const { port: s3Port } = await s3rver.run();
    stops.push(() => s3rver.close());
    const s3Url = `http://127.0.0.1:${s3Port}`;
    await ensureBucket(s3Url);

    // SES
    // A CommonJS module with `exports.default`: depending on the loader it arrives wrapped once more.
    const sesServer = ((sesModule as unknown as { default: { default?: unknown } }).default.default ??
      (sesModule as unknown as { default: unknown }).default) as typeof sesModule.default;
    const ses = await sesServer({ host: '127.0.0.1', port: ports.ses });
    keepSentMail(ses, path.join(dataDir, 'ses', 'sent.json'));
    const sesAccount = new LocalSesAccount(opts.ses);
    // Inside the fault guard: an injected SES outage answers before the quota does.
    sesAccount.install(ses);
    faults.guardSes(ses);
    stops.push(() => closeServer(ses));
    const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

    // Stripe
    // Real Stripe test mode when the developer brings a test key and a `stripe listen` secret.
    const realKey = process.env.STRIPE_SECRET_KEY;
    const real = Boolean(realKey && realKey !== LOCAL_STRIPE_KEY && process.env.STRIPE_WEBHOOK_SECRET);
    if (real && !realKey?.startsWith('sk_test_') && !realKey?.startsWith('rk_test_')) {
      throw new Error('STRIPE_SECRET_KEY must be a test-mode key (sk_test_…) for local development');
    }
    let stripeStandIn: StripeStandIn | undefined;
    if (!real) {
      stripeStandIn = await startStripeStandIn({
        port: ports.stripe,
        host: '127.0.0.1',
        dataFile: path.join(dataDir, 'stripe.json'),
        ...(process.env.STRIPE_WEBHOOK_SECRET ? { webhookSecret: process.env.STRIPE_WEBHOOK_SECRET } : {}),
        // Retries owed from before a restart wait until the endpoint knows the gateway's address.
        deferWebhookRetries: true,
        ...opts.stripe,
        log,
      });
      const standIn = stripeStandIn;
      stops.push(() => standIn.close());
    }

    // The default event bus with the stack's rules (lib/processing.ts, lib/payments.ts); its
    // PutEvents endpoint is the config's `endpoints.events`, on a free port: only this process's
    // handlers put events.
    bus = new LocalEventBus(localRules(functionTimeoutMs), (rule, error) => log(`${rule} error: ${error instanceof Error ? error.stack : String(error)}`));
    const busEndpoint = await bus.listen(0);
    stops.push(busEndpoint.close);

    // Gateway: listening first, so the Payment Link can redirect back to it.
    const gateway: Gateway = await startGateway({
      port: ports.gateway,
      staticDir: opts.staticDir ?? path.join(REPO_ROOT, 'frontend', 'dist'),
      connectSources: [s3Url],
      formActionSources: stripeStandIn ? [stripeStandIn.url] : ['https://checkout.stripe.com', 'https://buy.stripe.com'],
      functionTimeoutMs,
      faults: { takeWebhookDrop: () => faults.takeWebhookDrop(), control: (method, body) => faultControl(faults, method, body) },
      log,
    });
    // Closed after the bus below (stops run in reverse): draining both is the graceful stop.
    stops.push(async () => {
      await gateway.close();
      await bus?.idle();
    });

    // What the deploy-time wiring does in AWS, against the stand-in. A signing secret is shown only
    // when an endpoint is created: the stand-in's is kept in the data directory, so a restart keeps
    // the endpoint (moved to the gateway's port) and the retries Stripe still owes it; without a
    // kept secret the endpoint is replaced.
    // An operator's job names the product unless config does.
    const overrides: ConfigOverrides | undefined = jobFolder
      ? {
          ...opts.config,
          product: {
            name: jobFolder.manifest.name,
            description: `${jobFolder.manifest.name}: upload a file, see a free preview, pay for the full result.`,
            ...opts.config?.product,
          },
          // What the job reads, so the page and the job agree (config may only narrow it).
          acceptedExtensions: acceptedExtensionsFor(jobFolder.manifest, opts.config?.acceptedExtensions),
        }
      : opts.config;
    const { product, price } = localProductAndPrice(overrides);
    const stripeUrl = stripeStandIn ? new URL(stripeStandIn.url) : undefined;
    // The handlers' own client builder (lambdas/adapters/stripe-payments.ts): same options, same pinned version.
    const stripe = stripeUrl ? stripeClient({ apiKey: LOCAL_STRIPE_KEY, endpoint: stripeUrl.href }) : stripeClient({ apiKey: realKey as string });
    const secretFile = path.join(dataDir, 'stripe-webhook-secret.json');
    const kept = stripeStandIn ? readKeptSecret(secretFile) : undefined;
    const wire = (rotateWebhookSecret: boolean) =>
      // Against real Stripe the endpoint is `stripe listen --forward-to …`, whose secret is in the env.
      wireStripe(stripe, { tag: LOCAL_STRIPE_TAG, siteUrl: gateway.url, product, price, rotateWebhookSecret, webhook: !real });
    let wired = await wire(!kept);
    let keptSecret = kept && kept.endpointId === wired.webhookEndpointId ? kept.secret : undefined;
    if (!real && !wired.webhookSecret && !keptSecret) {
      wired = await wire(true);
      keptSecret = undefined;
    }
    const webhookSecret = real ? (process.env.STRIPE_WEBHOOK_SECRET as string) : (wired.webhookSecret ?? keptSecret);
    if (!webhookSecret) throw new Error('the Stripe stand-in returned no webhook signing secret');
    if (stripeStandIn && wired.webhookSecret) writeFileSync(secretFile, JSON.stringify({ endpointId: wired.webhookEndpointId, secret: wired.webhookSecret }));
    const stripeSetup = { ...wired, webhookSecret };

    // The same builder gives the operator's tool (bin/target.ts) this config.
    const config: RuntimeConfig = localRuntimeConfig({
      urls: { site: gateway.url, s3: s3Url, dynamodb: dynamoUrl, ses: sesUrl, events: busEndpoint.url, ...(stripeStandIn ? { stripe: stripeStandIn.url } : {}) },
      wiring: stripeSetup,
      acceptedExtensions: defaultProcessor.acceptedExtensions,
      ...(overrides ? { overrides } : {}),
      ...(jobFolder ? { jobFolder: jobFolder.dir } : {}),
    });
    // The handlers read their config and secrets once, at import (first request).
    process.env.UPLOCK_CONFIG = JSON.stringify(config);
    process.env.STRIPE_SECRET_KEY = real ? realKey : LOCAL_STRIPE_KEY;
    process.env.STRIPE_WEBHOOK_SECRET = stripeSetup.webhookSecret;
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

    const events = bus;
    s3rver.on('event', (notification: { Records?: [] }) => events.publish(notification));
    // Let running jobs finish before the stores go away.
    stops.push(() => events.idle());

    // One sweep at a time in this process; the sweeper's lease (core/sweep.ts) keeps any other
    // runner out, as it does in AWS.
    let sweeping: Promise<unknown> | undefined;
    const sweep = (): Promise<unknown> => {
      sweeping ??= import('../lambdas/handlers/sweeper')
        .then((m) => m.handler(undefined, lambdaContext('sweeper', SWEEPER_TIMEOUT_MS)))
        .finally(() => (sweeping = undefined));
      return sweeping;
    };
    const interval = opts.sweepIntervalSeconds ?? 60;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    // The next run is scheduled when this one has finished: runs never overlap.
    const schedule = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        sweep()
          .catch((error: unknown) => log(`sweeper error: ${error instanceof Error ? error.message : String(error)}`))
          .finally(schedule);
      }, interval * 1000);
      timer.unref();
    };
    if (interval > 0) schedule();
    // Everything is wired and the handlers can load: Stripe may resume what it still owes.
    stripeStandIn?.resumeWebhookRetries();
    stops.push(async () => {
      stopped = true;
      clearTimeout(timer);
      await sweeping?.catch(() => undefined);
    });

    return {
      urls: {
        site: gateway.url,
        mailViewer: sesUrl,
        sesStore: `${sesUrl}/store`,
        stripe: stripeStandIn?.url ?? 'https://dashboard.stripe.com/test',
        s3: s3Url,
        dynamodb: dynamoUrl,
      },
      config,
      stripeMode: real ? 'test-mode' : 'stand-in',
      webhookSecret: stripeSetup.webhookSecret,
      idle: () => events.idle(),
      sweep,
      faults,
      sesAccount,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The stack's rules on the default bus, as predicates: S3's (or the sweeper's) "Object Created"
 * under uploads/ of the data bucket runs the job (lib/processing.ts); the job's "Job Failed" for
 * this table goes to the stripe-events function (lib/payments.ts). Handlers load on first use,
 * after UPLOCK_CONFIG is set.
 */
function localRules(functionTimeoutMs: number): LocalRule[] {
  const detail = (event: { detail: unknown }) => (event.detail ?? {}) as { bucket?: { name?: unknown }; object?: { key?: unknown }; table?: unknown };
  const invoke = (name: 'process-upload' | 'stripe-events') => async (event: Parameters<LocalRule['target']>[0]) => {
    const module = (await (name === 'process-upload' ? import('../lambdas/handlers/process-upload') : import('../lambdas/handlers/stripe-events'))) as {
      handler: (event: never, context: Context) => Promise<unknown>;
    };
    return module.handler(event as never, lambdaContext(name, functionTimeoutMs));
  };
  return [
    {
      name: 'process job',
      matches: (event) => {
        const { bucket, object } = detail(event);
        return (
          (event.source === 'aws.s3' || event.source === UPLOCK_EVENT_SOURCE) &&
          event['detail-type'] === UPLOAD_ANNOUNCED_DETAIL_TYPE &&
          bucket?.name === BUCKET &&
          typeof object?.key === 'string' &&
          decodeURIComponent(object.key).startsWith('uploads/')
        );
      },
      target: invoke('process-upload'),
    },
    {
      name: 'job failure refund',
      matches: (event) => event.source === UPLOCK_EVENT_SOURCE && event['detail-type'] === JOB_FAILED_DETAIL_TYPE && detail(event).table === TABLE,
      target: invoke('stripe-events'),
    },
  ];
}

/** The stand-in endpoint's signing secret from an earlier start, if one is kept. */
function readKeptSecret(file: string): { endpointId: string; secret: string } | undefined {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { endpointId?: unknown; secret?: unknown };
    return typeof kept.endpointId === 'string' && typeof kept.secret === 'string' ? { endpointId: kept.endpointId, secret: kept.secret } : undefined;
  } catch {
    return undefined;
  }
}

/** `POST /__local/faults` sets a plan (JSON, local/faults.ts), `DELETE` clears, `GET` shows. */
function faultControl(faults: FaultSwitchboard, method: string, body: string): { status: number; body: unknown } {
  if (method === 'GET') return { status: 200, body: faults.state() };
  if (method === 'DELETE') {
    faults.clear();
    return { status: 200, body: faults.state() };
  }
  if (method !== 'POST') return { status: 405, body: { error: { code: 'method_not_allowed', message: 'GET, POST or DELETE.' } } };
  try {
    faults.set(parseFaultPlan(JSON.parse(body || '{}')));
    return { status: 200, body: faults.state() };
  } catch (error) {
    return { status: 400, body: { error: { code: 'invalid_fault_plan', message: error instanceof Error ? error.message : String(error) } } };
  }
}

/** The table with the CDK storage construct's keys (the adapter tests create theirs with it too). */
export async function ensureTable(endpoint: string, tableName: string = TABLE): Promise<void> {
  // The handlers' own client settings (lambdas/adapters/clients.ts), so set-up meets the same quirks.
  const client = new DynamoDBClient(awsClientSettings('us-east-1', endpoint));
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    // Same keys as the CDK storage construct: pk, GSI byEmail (email, createdAt).
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'email', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byEmail',
            KeySchema: [
              { AttributeName: 'email', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } finally {
    client.destroy();
  }
}

export async function ensureBucket(endpoint: string, bucket: string = BUCKET): Promise<void> {
  const client = new S3Client(s3ClientSettings('us-east-1', endpoint));
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  } finally {
    client.destroy();
  }
}
