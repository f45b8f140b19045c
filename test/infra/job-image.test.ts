/**
 * What the Dockerfile ships for jobRuntime "fargate": the process-task bundle built by
 * `bench/bundles.ts --only process-task`. No Docker here, so check the two things the image relies
 * on: the Dockerfile builds that entry, and the bundle runs with no node_modules next to it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { esbuildTarget, handlerEntry, repoRoot } from '../../lib/bundling';

describe('job image', () => {
  it('builds the process-task entry with the shared bundling and runs it as the container command', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');

    expect(existsSync(handlerEntry('process-task'))).toBe(true);
    expect(dockerfile).toContain('npx tsx bench/bundles.ts --only process-task --outdir /out');
    expect(dockerfile).toMatch(/CMD \["node", "--enable-source-maps", "\/app\/index\.mjs"\]/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('runs the Node.js major the bundle is built for (the Lambda runtime\'s)', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const images = [...dockerfile.matchAll(/^FROM .*?node:(\d+)-/gm)].map((m) => `node${m[1]}`);

    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toBe(esbuildTarget);
  });

  it('produces a self-contained bundle that starts without node_modules and asks for its S3 key', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'uplock-task-'));
    const build = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/bundles.ts'), '--only', 'process-task', '--outdir', outdir], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(build.status, build.stderr).toBe(0);
    // Run it from a directory with no node_modules anywhere above it, as in the image.
    const alone = mkdtempSync(path.join(tmpdir(), 'uplock-task-run-'));
    copyFileSync(path.join(outdir, 'process-task', 'index.mjs'), path.join(alone, 'index.mjs'));

    const run = spawnSync(process.execPath, [path.join(alone, 'index.mjs')], { cwd: alone, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH } });

    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(run.stderr).toContain('UPLOCK_S3_KEY');
    expect(run.status).not.toBe(0);
  });
});
