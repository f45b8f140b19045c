/**
 * Shared set-up for the infra tests: build the app exactly as bin/uplock.ts does (cdk.json
 * context, the same stack), but with a temporary frontend build, no AWS account, and an output
 * directory of its own.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { repoRoot } from '../../lib/bundling';
import { parseDeployConfig, type DeployConfig } from '../../lib/config';
import { UplockStack } from '../../lib/uplock-stack';

interface CdkJson {
  context: Record<string, unknown> & { uplock: unknown };
}

export const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as CdkJson;

/** The defaults shipped in cdk.json, validated like `cdk synth` does. */
export function defaultConfig(): DeployConfig {
  return parseDeployConfig(cdkJson.context.uplock);
}

/** A throwaway `frontend/dist`: the site only needs index.html to exist. */
export function fakeFrontend(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'uplock-dist-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>uplock</title>');
  return dir;
}

export interface SynthOptions {
  config?: DeployConfig;
  /**
   * Bundle the handlers with esbuild (slow, real). Off, CDK skips bundling and Docker staging, for
   * tests that only look at the infrastructure around the code.
   * @default true
   */
  bundle?: boolean;
  handlersDir?: string;
  /** Fixed account/region so the template has literal ARNs. @default env-agnostic */
  env?: { account: string; region: string };
}

export interface Synthesized {
  app: App;
  stack: UplockStack;
  template: Template;
}

export function synthesize(options: SynthOptions = {}): Synthesized {
  const { uplock: _uplock, ...flags } = cdkJson.context;
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'uplock-cdk-out-')),
    context: {
      ...flags,
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } : {}),
    },
  });
  const stack = new UplockStack(app, 'Uplock', {
    config: options.config ?? defaultConfig(),
    frontendDir: fakeFrontend(),
    ...(options.handlersDir ? { handlersDir: options.handlersDir } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const template = Template.fromStack(stack);
  return { app, stack, template };
}
