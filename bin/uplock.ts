/**
 * The CDK app (cdk.json "app"): reads the deploy config, builds the one stack, and runs the
 * cdk-nag AWS Solutions checks on it, so `cdk synth` and `cdk deploy` fail on any unacknowledged
 * finding.
 *
 * It also runs on its own (`npm run synth` = `tsx bin/uplock.ts`): then it reads cdk.json's
 * context itself and writes the cloud assembly to cdk.out, exactly as the CLI would have it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { repoRoot } from '../lib/bundling';
import { DeployConfigError, loadDeployConfig } from '../lib/config';
import { UplockStack } from '../lib/uplock-stack';

const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
// Under the CLI, CDK_CONTEXT_JSON (cdk.json + cdk.context.json + -c) is applied on top of this.
const app = new App({ context: cdkJson.context ?? {}, outdir: process.env.CDK_OUTDIR ?? path.join(repoRoot, 'cdk.out') });
let config;
try {
  config = loadDeployConfig(app.node.tryGetContext('uplock'), path.join(repoRoot, 'uplock.config.json'));
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  // A config mistake is the operator's to fix: show the message, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
const stackName: unknown = app.node.tryGetContext('uplock:stackName');
new UplockStack(app, typeof stackName === 'string' && stackName ? stackName : 'Uplock', {
  config,
  // The account and region the CLI resolved (profile / environment); env-agnostic without them.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
