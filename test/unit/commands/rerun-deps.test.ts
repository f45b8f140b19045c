/**
 * `uplock orders rerun` and `broadcast --rerun` build their use case's settings from the target's
 * config (bin/commands/order-actions.ts rerunDeps) with the same claim length as the job's own
 * wiring (lambdas/adapters/settings.ts jobClaimSettings, used by adapters/job-deps.ts too).
 * Nothing here connects anywhere: the adapters build their clients without calling them.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext } from '../../../bin/cli-kit';
import type { Target } from '../../../bin/target';
import { parseConfig } from '../../../lambdas/config';
import { validConfigDocument } from '../fixtures';

const context = (): CommandContext => ({
  io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} },
  options: {},
  json: true,
  note: () => undefined,
  confirm: async () => undefined,
  progress: () => ({ tick: () => undefined, done: () => undefined }),
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('rerunDeps', () => {
  it.each([
    { job: { claimSeconds: 45 }, expected: { claimMs: 45_000 }, why: 'config job.claimSeconds, in ms' },
    { job: {}, expected: {}, why: "nothing when config sets none (claimDurationMs then uses the processor's time limit)" },
  ])('gives the rerun the claim length of the job: $why', async ({ job, expected }) => {
    const document = { ...validConfigDocument, job };
    vi.stubEnv('UPLOCK_CONFIG', JSON.stringify(document));
    // A fresh module graph per case: the config is read once per process (lambdas/config.ts loadConfig).
    vi.resetModules();
    const { rerunDeps } = await import('../../../bin/commands/order-actions');
    const { jobClaimSettings } = await import('../../../lambdas/adapters/settings');
    const config = parseConfig(document);
    const target: Target = { kind: 'local', name: 'local', config, siteUrl: config.siteUrl, env: {} };

    const { deps } = await rerunDeps(context(), target);

    expect(jobClaimSettings(config)).toEqual(expected);
    expect(deps.settings.claimMs).toBe('claimMs' in expected ? expected.claimMs : undefined);
    expect('claimMs' in deps.settings).toBe('claimMs' in expected);
  });
});
