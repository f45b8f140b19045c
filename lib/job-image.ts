/**
 * An operator's job folder (docs/jobs.md) as a container image: the folder's files, uplock's job
 * runner (lambdas/handlers/job-runner.ts, bundled by esbuild as `uplock-runner.mjs`) beside them,
 * and the folder's Dockerfile (or the docs' template). Staged at synth; the image itself is built
 * by `cdk deploy` (synth needs no Docker: the asset is hashed, not built).
 */
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { loadJobFolder, type JobFolder } from '../lambdas/processors/command/manifest';
import { esbuildOptions, esbuildTarget, handlerEntry, repoRoot } from './bundling';

export const RUNNER_FILE = 'uplock-runner.mjs';
/** Lambda's own ceiling for one invocation. */
export const LAMBDA_MAX_SECONDS = 900;
/** Time the runner needs around the job: reading the input, storing the results. */
export const RUNNER_MARGIN_SECONDS = 60;

/** The Lambda base image of the functions' own Node.js major (the runner is bundled for it: lib/bundling.ts esbuildTarget). */
export const BASE_IMAGE = `public.ecr.aws/lambda/nodejs:${esbuildTarget.replace(/^node/, '')}`;

export const DOCKERFILE_TEMPLATE = `# uplock job image (docs/jobs.md): the job's files with uplock's runner beside them.
FROM ${BASE_IMAGE}
COPY . \${LAMBDA_TASK_ROOT}/
CMD ["uplock-runner.handler"]
`;

export interface StagedJob extends JobFolder {
  /** The staged build context: the job's files, the runner and a Dockerfile. */
  readonly context: string;
}

/** Validate the folder for the runtime and stage it; the error says what to change. */
export function stageJob(folder: string, runtime: 'lambda' | 'fargate', options: { bundle?: boolean } = {}): StagedJob {
  const job = loadJobFolder(path.resolve(repoRoot, folder));
  if (runtime === 'lambda' && job.manifest.timeoutSeconds + RUNNER_MARGIN_SECONDS > LAMBDA_MAX_SECONDS) {
    throw new Error(
      `uplock.job: ${job.manifest.name} has timeoutSeconds ${job.manifest.timeoutSeconds}, longer than Lambda allows (${LAMBDA_MAX_SECONDS - RUNNER_MARGIN_SECONDS} s with the runner's margin): set "jobRuntime": "fargate" in cdk.json, or shorten the timeout`,
    );
  }
  const context = mkdtempSync(path.join(tmpdir(), 'uplock-job-image-'));
  cpSync(job.dir, context, { recursive: true, filter: (source) => !/[\\/](node_modules|\.git)$/.test(source) });
  if (!existsSync(path.join(context, 'Dockerfile'))) writeFileSync(path.join(context, 'Dockerfile'), DOCKERFILE_TEMPLATE);
  if (options.bundle !== false) {
    buildSync({
      ...esbuildOptions,
      mainFields: [...esbuildOptions.mainFields],
      external: [...esbuildOptions.external],
      sourcemap: false,
      entryPoints: [handlerEntry('job-runner')],
      outfile: path.join(context, RUNNER_FILE),
      logLevel: 'warning',
    });
  } else {
    writeFileSync(path.join(context, RUNNER_FILE), '// not bundled in this synth (tests that look at the infrastructure only)\n');
  }
  return { ...job, context };
}
