/**
 * `npx uplock <command>`: the operator's tool (docs/operations.md). bin/uplock.ts is the CDK app;
 * this is the second entry, reached through the shim bin/uplock-cli.mjs named in package.json `bin`.
 *
 * Plug-in convention: each `bin/commands/<name>.ts` exports `register(program: Command): void` and
 * is listed once below. Commands read the global options with `optsWithGlobals()` and run through
 * `runAction` (bin/cli-kit.ts), which prints results on stdout (`--json` for scripts), everything
 * else on stderr, and sets the exit code: 0 success, 1 failure, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from '../lambdas/contract';
import { DATA_DIR_ENV, PORT_SETTINGS } from '../local/runtime-config';
import { processIo, type Io } from './cli-kit';
import * as ordersCommand from './commands/orders';
import * as statsCommand from './commands/stats';
import * as sweepCommand from './commands/sweep';
import * as stripeCommand from './commands/stripe';
import * as jobCommand from './commands/job';
import * as profileCommand from './commands/profile';
import * as broadcastCommand from './commands/broadcast';
import * as smokeCommand from './commands/smoke';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Every command module, in the order `--help` lists them. */
const COMMANDS: readonly { register(program: Command): void }[] = [ordersCommand, broadcastCommand, statsCommand, smokeCommand, stripeCommand, sweepCommand, jobCommand, profileCommand];

export function buildProgram(io: Io = processIo()): Command {
  const json = process.argv.includes('--json');
  const program = new Command('uplock')
    .description('Run an uplock shop: orders, refunds, emails, statistics and checks, on the local cloud or a deployed stack.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print only JSON on stdout (errors too, as {"error":{"code","message"}})')
    .addOption(new Option('--stack <name>', 'a deployed stack (default: the local cloud of `npm start`)').env('UPLOCK_STACK'))
    .option('--region <region>', 'AWS region of --stack (default: the AWS_REGION / profile region)')
    .option('--profile <name>', 'AWS credentials profile for --stack (default: the standard credential chain)');
  for (const { flag, env, service } of PORT_SETTINGS) {
    program.addOption(new Option(`--${flag} <n>`, `local cloud: ${service} port`).env(env).hideHelp());
  }
  program.addOption(new Option('--data <dir>', 'local cloud: data directory').env(DATA_DIR_ENV).hideHelp());
  program
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // With --json a usage error is JSON on stdout too, like every other error.
      outputError: (text, write) => (json ? io.stdout.write(`${JSON.stringify({ error: { code: 'usage', message: text.replace(/^error: /, '').trim() } })}\n`) : write(text)),
    })
    .addHelpText(
      'after',
      `
Target: with no --stack the tool talks to the local cloud of \`npm start\` (same ports; pass
--port, --s3-port, … or UPLOCK_PORT, … as given to npm start).

Examples:
  npx uplock orders list --status paid --since 7d
  npx uplock orders show 1b4e28ba-2fa1-4d3a-9b5e-6f7f8e9d0a1b
  npx uplock --stack Uplock --region eu-west-1 stats --since 30d
  npx uplock --json orders list | jq '.[].email'

Exit codes: 0 success, 1 failure, 2 usage. Guide: docs/operations.md`,
    );
  for (const command of COMMANDS) command.register(program);
  // Every command, however deep, exits through the override (usage errors become exit code 2).
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: string[] = process.argv, io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; any other parse failure is a usage error.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
