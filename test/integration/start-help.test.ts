/**
 * `npm start -- --help` (local/start.ts): answers before anything is built or started, and lists
 * every `UPLOCK_*` variable that configures the local cloud, the ones the README names included.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATA_DIR_ENV, PORT_SETTINGS } from '../../local/runtime-config';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(REPO_ROOT, 'frontend', 'dist');

function npmStart(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['start', '--silent', '--', ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The built pages' directory as it stands: absent, or its entries with their modification times. */
function distState(): string {
  try {
    return `${statSync(DIST).mtimeMs}:${statSync(path.join(DIST, 'index.html')).mtimeMs}`;
  } catch {
    return 'absent';
  }
}

describe('npm start -- --help', () => {
  it('prints the flags and every UPLOCK_* variable, exits 0, and builds nothing', async () => {
    // Prepare
    const before = distState();
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const promised = new Set(readme.match(/UPLOCK_[A-Z0-9_]+/g) ?? []);

    // Act
    const run = await npmStart(['--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm start -- \[options\]/);
    for (const { flag, env } of PORT_SETTINGS) expect(run.stdout).toMatch(new RegExp(`--${flag} N +${env} `));
    for (const name of [DATA_DIR_ENV, 'UPLOCK_JOB', 'UPLOCK_FAULTS', ...promised]) expect(run.stdout).toContain(name);
    expect(promised.size).toBeGreaterThan(0);
    // Vite prints "built in …" when it builds; the pages' directory is as it was
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/built in|transforming|vite/i);
    expect(distState()).toBe(before);
  });

  it('refuses a bad port with exit 2 naming the flag and the variable, before building', async () => {
    // Prepare
    const before = distState();

    // Act
    const run = await npmStart(['--port', 'abc']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port / UPLOCK_PORT must be a port number, got "abc"');
    expect(distState()).toBe(before);
  });
});
