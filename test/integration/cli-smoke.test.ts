/** `uplock smoke` against the local cloud: passes and cleans up; a stopped site fails in one line. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontend } from '../e2e/support/site';
import type { OrderSummary, SmokeReport } from '../../lambdas/contract';
import { uplock } from './cli-support';
import { startTestCloud, type TestCloud } from './local-cloud';

describe('uplock smoke', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    // The page is part of the check (its security headers): serve a real build.
    const staticDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'uplock-smoke-site-')), 'dist');
    await buildFrontend(staticDir);
    cloud = await startTestCloud(undefined, undefined, { staticDir });
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('passes every check against the local cloud and leaves no order behind', async () => {
    const run = await uplock(['--json', 'smoke', '--url', cloud.urls.site], { cloud });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = run.json<SmokeReport>();
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['config', true],
      ['security headers', true],
      ['order', true],
      ['upload', true],
      ['preview', true],
      ['webhook', true],
      ['cleanup', true],
    ]);
    const list = await uplock(['--json', 'orders', 'list'], { cloud });
    expect(list.json<OrderSummary[]>()).toEqual([]);
    const stats = await uplock(['--json', 'stats'], { cloud });
    expect(stats.json()).toMatchObject({ orders: 0, previews: 0 });
  }, 180_000);

  it('fails against a stopped site with the first failure in one line, exit 1', async () => {
    const run = await uplock(['smoke', '--url', 'http://127.0.0.1:9'], { cloud });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^error: http:\/\/127\.0\.0\.1:9: config: .*no answer.* \(smoke_failed\)$/);
  }, 60_000);

  it('names a file it cannot read as a usage error', async () => {
    const run = await uplock(['smoke', '--file', '/nonexistent.csv'], { cloud });

    expect(run.code).toBe(2);
  }, 60_000);
});
