/**
 * Which installation a command talks to, and the runtime config its functions run with.
 *
 * - No target option: the local cloud of `npm start`, on its default ports or those given with the
 *   same flags and variables (`--port`/`UPLOCK_PORT`, …). The config is built by the same function
 *   local/cloud.ts uses (local/runtime-config.ts); the Stripe ids are read back from the Stripe
 *   stand-in, where `npm start` wired them.
 * - `--stack NAME` (or `UPLOCK_STACK`): a deployed stack. The config is the stack output
 *   `RuntimeConfig` (lambdas/contract.ts), read with the standard AWS credential chain
 *   (`--profile`, `--region`, or the usual variables); Stripe's key comes from the secret the stack
 *   stores, as in the functions.
 *
 * `activate` then hands the config to the adapters exactly as Lambda and the local cloud do
 * (`UPLOCK_CONFIG`), so a command runs the functions' own core, ports and adapters.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { parseConfig, type RuntimeConfig } from '../lambdas/config';
import { RUNTIME_CONFIG_OUTPUT, SITE_URL_OUTPUT } from '../lambdas/contract';
import { LOCAL_STRIPE_KEY, LOCAL_STRIPE_TAG, localRuntimeConfig, PortSettingError, resolvePorts } from '../local/runtime-config';
import { CliError, type GlobalOptions } from './cli-kit';

export interface Target {
  readonly kind: 'local' | 'stack';
  /** `local`, or the stack name. */
  readonly name: string;
  readonly config: RuntimeConfig;
  /** The public site URL (smoke tests, links). */
  readonly siteUrl: string;
  /** Secrets the local cloud passes in the environment; empty for a stack (Secrets Manager). */
  readonly env: Record<string, string>;
}

/** Commander's camel-cased option names → the flags local/runtime-config.ts knows. */
function portFlags(options: GlobalOptions): Record<string, string | undefined> {
  return {
    port: options.port,
    'dynamodb-port': options.dynamodbPort,
    's3-port': options.s3Port,
    'ses-port': options.sesPort,
    'stripe-port': options.stripePort,
  };
}

export async function resolveTarget(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const stack = options.stack ?? env.UPLOCK_STACK;
  return stack ? stackTarget(stack, options, env) : localTarget(options, env);
}

async function localTarget(options: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Target> {
  let ports;
  try {
    ports = resolvePorts(portFlags(options), env);
  } catch (error) {
    if (error instanceof PortSettingError) throw new CliError('invalid_option', error.message, 2);
    throw error;
  }
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const realKey = env.STRIPE_SECRET_KEY && env.STRIPE_SECRET_KEY !== LOCAL_STRIPE_KEY ? env.STRIPE_SECRET_KEY : undefined;
  const stripeUrl = realKey ? undefined : url(ports.stripe);
  const wiring = await localWiring(realKey ?? LOCAL_STRIPE_KEY, stripeUrl);
  const { defaultProcessor } = await import('../lambdas/processors');
  const config = localRuntimeConfig({
    urls: { site: url(ports.gateway), s3: url(ports.s3), dynamodb: url(ports.dynamodb), ses: url(ports.ses), ...(stripeUrl ? { stripe: stripeUrl } : {}) },
    wiring,
    acceptedExtensions: defaultProcessor.acceptedExtensions,
  });
  return { kind: 'local', name: 'local', config, siteUrl: config.siteUrl, env: { STRIPE_SECRET_KEY: realKey ?? LOCAL_STRIPE_KEY } };
}

/** The Payment Link and Price `npm start` wired (tagged `local`), read back from Stripe. */
async function localWiring(key: string, stripeUrl: string | undefined): Promise<{ paymentLinkId: string; paymentLinkUrl: string; priceId: string }> {
  const { stripeClient } = await import('../lambdas/adapters/stripe-client');
  // No retries against the local stand-in: a local cloud that is not running should say so at once.
  const stripe = stripeClient({ apiKey: key, ...(stripeUrl ? { endpoint: stripeUrl, maxNetworkRetries: 0 } : {}) });
  let links;
  try {
    links = await stripe.paymentLinks.list({ limit: 100, active: true });
  } catch (error) {
    if ((error as { type?: string }).type === 'StripeConnectionError') {
      throw new CliError(
        'target_unreachable',
        `The local cloud is not running (nothing answers at ${stripeUrl ?? 'Stripe'}): start it with \`npm start\`, pass the ports it uses, or use --stack NAME.`,
      );
    }
    throw error;
  }
  const link = links.data.find((l) => l.metadata?.uplock === LOCAL_STRIPE_TAG);
  if (!link) throw new CliError('not_wired', 'The local Stripe has no uplock Payment Link yet: start the local cloud with `npm start` once.');
  return { paymentLinkId: link.id, paymentLinkUrl: link.url, priceId: link.metadata?.price ?? '' };
}

async function stackTarget(stackName: string, options: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Target> {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  // The SDK's default chain reads the profile from AWS_PROFILE, for this client and the adapters.
  if (options.profile) env.AWS_PROFILE = options.profile;
  if (region) env.AWS_REGION = region;
  const client = new CloudFormationClient({ ...(region ? { region } : {}), ...(options.profile ? { profile: options.profile } : {}) });
  let outputs;
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = (error as Error).message;
    if (name === 'ValidationError') throw new CliError('stack_not_found', `No stack named "${stackName}"${region ? ` in ${region}` : ''}.`);
    throw new CliError('aws_error', `Could not read stack "${stackName}": ${name}: ${message}`);
  } finally {
    client.destroy();
  }
  const raw = outputs.find((o) => o.OutputKey === RUNTIME_CONFIG_OUTPUT)?.OutputValue;
  if (!raw) throw new CliError('stack_output_missing', `Stack "${stackName}" has no ${RUNTIME_CONFIG_OUTPUT} output: deploy this version of uplock first (npx cdk deploy).`);
  let config: RuntimeConfig;
  try {
    config = parseConfig(JSON.parse(raw));
  } catch (error) {
    throw new CliError('stack_output_invalid', `The ${RUNTIME_CONFIG_OUTPUT} output of "${stackName}" is not a valid runtime config: ${(error as Error).message}`);
  }
  const siteUrl = outputs.find((o) => o.OutputKey === SITE_URL_OUTPUT)?.OutputValue ?? config.siteUrl;
  return { kind: 'stack', name: stackName, config, siteUrl, env: {} };
}

/**
 * Give the adapters this target, the way Lambda and the local cloud give it to the handlers. Call
 * before the first adapter is imported: adapters read the config once.
 */
export function activate(target: Target, env: NodeJS.ProcessEnv = process.env): void {
  env.UPLOCK_CONFIG = JSON.stringify(target.config);
  for (const [key, value] of Object.entries(target.env)) env[key] = value;
  // The functions run on Node 22; on an operator's Node 20 the SDK's upgrade notice is noise.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
}

/** Resolve and activate in one step: what most commands do first. */
export async function connect(options: GlobalOptions): Promise<Target> {
  const target = await resolveTarget(options);
  activate(target);
  return target;
}
