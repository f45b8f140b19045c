/**
 * `npm start`: the whole pipeline on this machine. `npm start -- --help` lists the flags and the
 * `UPLOCK_*` variables; the pages are built after the arguments are read, so `--help` is instant.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaultPlan, type FaultPlan } from './faults';
import { REPO_ROOT, startLocalCloud } from './cloud';
import { DATA_DIR_ENV, DEFAULT_PORTS, PORT_SETTINGS, PortSettingError, resolvePorts } from './runtime-config';

const HELP = `usage: npm start -- [options]

Starts uplock on 127.0.0.1: the pages, the API, and local stand-ins for S3, DynamoDB, SES,
EventBridge and Stripe. Data survives a restart.

options (each also set by the variable beside it; a flag wins over its variable):
${PORT_SETTINGS.map(({ service, flag, env }) => `  --${`${flag} N`.padEnd(20)} ${env.padEnd(22)} ${service} port (default ${DEFAULT_PORTS[service]})`).join('\n')}
  --data DIR             ${DATA_DIR_ENV.padEnd(22)} data directory (default .uplock)
  --job FOLDER           ${'UPLOCK_JOB'.padEnd(22)} run this job folder (docs/jobs.md) instead of the built-in data profile
  --reset                                       wipe the data directory first
  --no-build                                    serve the pages already in frontend/dist
  --help                                        this text

other variables:
  STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET      use real Stripe test mode instead of the stand-in
                                                (sk_test_… and the secret \`stripe listen\` prints)
  UPLOCK_FAULTS                                 a fault plan as JSON, e.g. '{"killAt":"delivery:sent"}'
                                                (docs/local-cloud.md; also POST /__local/faults)

The operator's tool talks to this local cloud by default: npx uplock --help`;

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        reset: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        port: { type: 'string' },
        'dynamodb-port': { type: 'string' },
        's3-port': { type: 'string' },
        'ses-port': { type: 'string' },
        'stripe-port': { type: 'string' },
        data: { type: 'string' },
        job: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
})();

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

let ports: ReturnType<typeof resolvePorts>;
try {
  ports = resolvePorts(values);
} catch (error) {
  if (!(error instanceof PortSettingError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const dataDir = path.resolve(values.data ?? process.env[DATA_DIR_ENV] ?? path.join(REPO_ROOT, '.uplock'));

if (!values['no-build']) {
  // Built here rather than in the npm script, so that a bad flag or --help answers at once.
  const { build } = await import('vite');
  await build({ root: path.join(REPO_ROOT, 'frontend'), logLevel: 'warn' });
}

const job = values.job ?? process.env.UPLOCK_JOB;

let faults: FaultPlan | undefined;
if (process.env.UPLOCK_FAULTS) {
  try {
    faults = parseFaultPlan(JSON.parse(process.env.UPLOCK_FAULTS));
  } catch (error) {
    console.error(`UPLOCK_FAULTS: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

const cloud = await startLocalCloud({
  dataDir,
  ...(job ? { job: path.resolve(job) } : {}),
  reset: values.reset,
  ports,
  ...(faults ? { faults } : {}),
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
