/**
 * What every `uplock` command shares: the global options, the error type, output (results on
 * stdout, as a table for people or JSON for scripts; progress, prompts and errors on stderr),
 * confirmation of destructive commands, and the progress bar. Commands stay thin: they parse,
 * call a core use case through the ports, and hand the result to `runAction`.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { EXIT, type ErrorBody } from '../lambdas/contract';

/** A deliberate failure: its code and message reach the operator as they are. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    /** 1 failure, 2 usage. */
    readonly exitCode: 1 | 2 = EXIT.failure,
  ) {
    super(message);
  }
}

/** Options every command inherits from the program (bin/cli.ts). */
export interface GlobalOptions {
  json?: boolean;
  stack?: string;
  region?: string;
  profile?: string;
  port?: string;
  dynamodbPort?: string;
  s3Port?: string;
  sesPort?: string;
  stripePort?: string;
  data?: string;
}

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/** What a command hands back: the JSON value, and how a person reads it. */
export interface Output {
  readonly json: unknown;
  readonly text: string;
}

export interface CommandContext {
  readonly io: Io;
  /** This command's options merged with the global ones. */
  readonly options: GlobalOptions & Record<string, unknown>;
  readonly json: boolean;
  /** Progress and notes for a person (stderr; silent with --json unless stderr is a terminal). */
  note(line: string): void;
  /** Ask before a destructive step; `--yes` answers for the operator, and off a terminal it is required. */
  confirm(question: string): Promise<void>;
  progress(total: number, label: string): Progress;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export function errorBody(error: unknown): ErrorBody & { exitCode: 1 | 2 } {
  if (error instanceof CliError) return { error: { code: error.code, message: error.message }, exitCode: error.exitCode };
  // A use case's deliberate refusal (lambdas/core/operations.ts OperationRefused): its words as they are.
  if (error instanceof Error && error.name === 'OperationRefused') {
    return { error: { code: String((error as { code?: unknown }).code), message: error.message }, exitCode: EXIT.failure };
  }
  // Stripe said no or could not be reached (lambdas/ports/payments.ts PaymentsError).
  if (error instanceof Error && error.name === 'PaymentsError') {
    return { error: { code: `stripe_${String((error as { kind?: unknown }).kind)}`, message: `Stripe: ${error.message}` }, exitCode: EXIT.failure };
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || (error as { cause?: { code?: unknown } }).cause?.code === 'ECONNREFUSED') {
    return {
      error: { code: 'target_unreachable', message: 'Nothing answers at the target: is `npm start` running (with the same ports), or did you mean --stack NAME?' },
      exitCode: EXIT.failure,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: { code: 'failed', message }, exitCode: EXIT.failure };
}

function writeError(io: Io, json: boolean, body: ErrorBody): void {
  if (json) io.stdout.write(`${JSON.stringify(body)}\n`);
  else io.stderr.write(`error: ${body.error.message} (${body.error.code})\n`);
}

/** A command's action: run `body`, print its output, map failures to exit codes and messages. */
export function runAction(body: (ctx: CommandContext, args: string[]) => Promise<Output | undefined>, io: Io = processIo()) {
  return async (...actionArgs: unknown[]): Promise<void> => {
    const command = actionArgs[actionArgs.length - 1] as Command;
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const json = options.json === true;
    const ctx = commandContext(io, options, json);
    try {
      const output = await body(ctx, command.args);
      if (output) io.stdout.write(json ? `${JSON.stringify(output.json, null, 2)}\n` : output.text.endsWith('\n') || output.text === '' ? output.text : `${output.text}\n`);
    } catch (error) {
      const { exitCode, ...errorOnly } = errorBody(error);
      writeError(io, json, errorOnly);
      process.exitCode = exitCode;
    }
  };
}

function commandContext(io: Io, options: GlobalOptions & Record<string, unknown>, json: boolean): CommandContext {
  const interactive = Boolean(io.stderr.isTTY);
  return {
    io,
    options,
    json,
    note: (line) => {
      if (!json || interactive) io.stderr.write(`${line}\n`);
    },
    confirm: async (question) => {
      if (options.yes === true) return;
      if (!io.stdin.isTTY || !interactive) {
        throw new CliError('confirmation_required', `${question} Refusing without --yes when not on a terminal.`, EXIT.usage);
      }
      const rl = createInterface({ input: io.stdin, output: io.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not_confirmed', 'Nothing done.');
      } finally {
        rl.close();
      }
    },
    progress: (total, label) => progressBar(io, total, label, interactive),
  };
}

/** A bar redrawn in place on a terminal; a line per tenth elsewhere (or nothing with --json). */
function progressBar(io: Io, total: number, label: string, interactive: boolean): Progress {
  let done = 0;
  let lastTenth = -1;
  const draw = () => {
    const share = total === 0 ? 1 : done / total;
    if (interactive) {
      const width = Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - label.length - 20));
      const filled = Math.round(share * width);
      io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
    } else {
      const tenth = Math.floor(share * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        io.stderr.write(`${label}: ${done}/${total}\n`);
      }
    }
  };
  return {
    tick: (n = 1) => {
      done += n;
      draw();
    },
    done: () => {
      if (interactive) io.stderr.write('\n');
    },
  };
}

/** A plain text table: one header row, columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `key: value` lines, for one object. */
export function fields(entries: readonly [string, string | number | boolean | undefined][]): string {
  const shown = entries.filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${String(v)}`).join('\n');
}

/** A whole positive number option, or a usage error naming the option. */
export function positiveInt(name: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new CliError('invalid_option', `${name} must be a positive whole number, got "${String(raw)}"`, EXIT.usage);
  return value;
}

const DURATION = /^(\d+)(m|h|d)$/;

/** `30m`, `24h`, `7d` or an ISO date → the instant it names (`now` minus the duration). */
export function parseSince(raw: unknown, now = Date.now()): Date | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const match = DURATION.exec(text);
  if (match) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
    return new Date(now - Number(match[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new CliError('invalid_option', `--since takes 30m, 24h, 7d or an ISO date like 2026-01-31, got "${text}"`, EXIT.usage);
}
