/**
 * `npm start`: the whole pipeline on this machine. Flags (or env vars) choose ports and data:
 *   --reset                wipe .uplock/ first
 *   --port N               gateway (UPLOCK_PORT, default 3000)
 *   --dynamodb-port N      (UPLOCK_DYNAMODB_PORT, 4567)   --s3-port N (UPLOCK_S3_PORT, 4568)
 *   --ses-port N           (UPLOCK_SES_PORT, 8005)        --stripe-port N (UPLOCK_STRIPE_PORT, 12111)
 *   --data DIR             (UPLOCK_DATA_DIR, .uplock)
 *   --job FOLDER           (UPLOCK_JOB) run this job folder (docs/jobs.md) instead of the built-in data profile
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS, REPO_ROOT, startLocalCloud, type Service } from './cloud';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    port: { type: 'string' },
    'dynamodb-port': { type: 'string' },
    's3-port': { type: 'string' },
    'ses-port': { type: 'string' },
    'stripe-port': { type: 'string' },
    data: { type: 'string' },
    job: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: npm start -- [--reset] [--port N] [--dynamodb-port N] [--s3-port N] [--ses-port N] [--stripe-port N] [--data DIR] [--job FOLDER]');
  process.exit(0);
}

function port(service: Service, flag: string | undefined, envName: string): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined) return DEFAULT_PORTS[service];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${envName} / --${service === 'gateway' ? 'port' : `${service}-port`} must be a port number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const dataDir = path.resolve(values.data ?? process.env.UPLOCK_DATA_DIR ?? path.join(REPO_ROOT, '.uplock'));

const job = values.job ?? process.env.UPLOCK_JOB;

const cloud = await startLocalCloud({
  dataDir,
  ...(job ? { job: path.resolve(job) } : {}),
  reset: values.reset,
  ports: {
    gateway: port('gateway', values.port, 'UPLOCK_PORT'),
    dynamodb: port('dynamodb', values['dynamodb-port'], 'UPLOCK_DYNAMODB_PORT'),
    s3: port('s3', values['s3-port'], 'UPLOCK_S3_PORT'),
    ses: port('ses', values['ses-port'], 'UPLOCK_SES_PORT'),
    stripe: port('stripe', values['stripe-port'], 'UPLOCK_STRIPE_PORT'),
  },
  log: (line) => console.error(line),
}).catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  if ((error as Error).name === 'ManifestError') {
    console.error(`The job folder cannot be used: ${(error as Error).message}`);
  } else if (code === 'EADDRINUSE') {
    console.error(`A port is already in use (${(error as Error).message}). Stop the other process or pick ports with --port etc.`);
  } else {
    console.error(error);
  }
  process.exit(1);
});

console.log(`
uplock is running on the local cloud${values.reset ? ' (data wiped)' : ''}.

  Page:         ${cloud.urls.site}/
  Mail viewer:  ${cloud.urls.mailViewer}/
  ${
    cloud.stripeMode === 'stand-in'
      ? `Stripe (local stand-in): ${cloud.urls.stripe}   test card 4242 4242 4242 4242`
      : `Stripe: real test mode. Forward events: stripe listen --forward-to ${cloud.urls.site}/api/stripe/webhook`
  }
  Job:          ${job ? `${cloud.config.product.name} (${path.resolve(job)})` : 'built-in data profile'}
  Data:         ${path.relative(process.cwd(), dataDir) || '.'}/ (npm start -- --reset wipes it)

Ctrl-C stops everything.`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  cloud.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
