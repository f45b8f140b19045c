/**
 * The CDK app (cdk.json "app"): reads the deploy config, builds the one stack, and runs the
 * cdk-nag AWS Solutions checks on it, so `cdk synth` and `cdk deploy` fail on any unacknowledged
 * finding.
 */
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { repoRoot } from '../lib/bundling';
import { DeployConfigError, loadDeployConfig } from '../lib/config';
import { UplockStack } from '../lib/uplock-stack';

const app = new App();
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
