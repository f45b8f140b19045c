/**
 * Runs the operator's tool the way an operator does: `bin/uplock-cli.mjs` (package.json "bin") in
 * a child process, pointed at a test cloud through the same variables `npm start` reads.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCloud } from './local-cloud';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin', 'uplock-cli.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = unknown>(): T;
}

const portOf = (url: string): string => new URL(url).port;

/** The variables that point the tool at `cloud` (what `npm start -- --port …` was given). */
export function cloudEnv(cloud: TestCloud): Record<string, string> {
  return {
    UPLOCK_PORT: portOf(cloud.urls.site),
    UPLOCK_DYNAMODB_PORT: portOf(cloud.urls.dynamodb),
    UPLOCK_S3_PORT: portOf(cloud.urls.s3),
    UPLOCK_SES_PORT: portOf(cloud.urls.mailViewer),
    UPLOCK_STRIPE_PORT: portOf(cloud.urls.stripe),
  };
}

export function uplock(args: readonly string[], opts: { cloud?: TestCloud; env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.cloud ? cloudEnv(opts.cloud) : {}), ...opts.env };
  // The test process's own config must not leak into the tool: it builds its own.
  delete env.UPLOCK_CONFIG;
  delete env.STRIPE_WEBHOOK_SECRET;
  delete env.UPLOCK_STACK;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env, cwd: opts.cwd ?? ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({
        code,
        stdout,
        stderr,
        json: <T,>() => {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}
